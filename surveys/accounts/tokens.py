"""The staff page of personal API tokens: list, create (the key is shown once), revoke.

Every signed-in user may hold tokens; a token gives exactly the rights of its owner's role.
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from surveys.api.tokens import api_token_create, api_token_revoke, api_tokens_of


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=gettext_lazy("What the token is for, e.g. 'nightly sync to our warehouse'."))
    days = forms.IntegerField(min_value=1, max_value=3660, initial=settings.API_TOKEN_DAYS,
                              label=gettext_lazy("Valid for (days)"))


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        _token, key = api_token_create(user=request.user, **form.cleaned_data)
        form = ApiTokenForm()
    return render(request, "accounts/api_tokens.html", {"form": form, "key": key,
                                                        "tokens": api_tokens_of(user=request.user)},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def api_token_revoke_view(request, token_id: int):
    if api_token_revoke(token_id=token_id, user=request.user):
        messages.info(request, _("Token revoked: it no longer opens the API."))
    return redirect("api-tokens")
