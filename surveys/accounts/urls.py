from django.contrib.auth.views import LogoutView
from django.urls import path

from surveys.accounts.tokens import api_token_revoke_view, api_tokens
from surveys.accounts.views import SignInView, language_choose

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("language/", language_choose, name="language"),  # the interface language menu (docs/roles.md)
    path("api-tokens/", api_tokens, name="api-tokens"),  # personal API tokens (docs/api.md)
    path("api-tokens/<int:token_id>/revoke/", api_token_revoke_view, name="api-token-revoke"),
]
