"""The API's permission checks: the same permission codenames the staff screens check (docs/roles.md)."""
from __future__ import annotations

from rest_framework.permissions import BasePermission

IDENTIFIERS = "surveys.view_firm_contacts"  # firm tax ids and names: never analysts


def require_any(*perms: str) -> type[BasePermission]:
    """A permission class passing users who hold at least one of `perms` (superusers hold all)."""

    class HoldsAny(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and any(user.has_perm(p) for p in perms))

    HoldsAny.__name__ = f"HoldsAny({', '.join(perms)})"
    return HoldsAny


def may_see_identifiers(user) -> bool:
    return bool(user and user.is_active and user.has_perm(IDENTIFIERS))
