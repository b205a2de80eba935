from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "supplier-relations-2025.xlsx"


@pytest.fixture
def author(django_user_model):
    """Fieldwork staff, as `setup_roles` makes them."""
    from surveys.accounts.roles import FIELDWORK, role_assign, roles_install

    roles_install()
    user = django_user_model.objects.create_user("author", password="pw")
    role_assign(user=user, role=FIELDWORK)
    return user


@pytest.fixture
def analyst(django_user_model):
    from surveys.accounts.roles import ANALYST, role_assign, roles_install

    roles_install()
    user = django_user_model.objects.create_user("analyst1", password="pw")
    role_assign(user=user, role=ANALYST)
    return user
