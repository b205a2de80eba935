"""Sign-in for staff and interviewers.

Throttling is django-axes' (config/settings.py, docs/roles.md): its authentication backend refuses a
locked-out username and address before the password is checked, and its middleware answers with
surveys.accounts.lockout's 429 page. This view only decides where each role lands.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from surveys.accounts.language import CHOICES, user_language_set
from surveys.accounts.workspace import workspace_home


class SignInView(LoginView):
    template_name = "registration/login.html"

    def get_default_redirect_url(self):
        """Each role lands on its workspace's home (surveys.accounts.workspace) unless `next` says otherwise."""
        if self.next_page:
            return super().get_default_redirect_url()
        return workspace_home(user=self.request.user)


@require_POST
@login_required
def language_choose(request):
    """The language menu of the staff navigation: store the choice, back to the page it was made on."""
    language = request.POST.get("language", "")
    if language and language not in CHOICES:
        return HttpResponseBadRequest(_("Unknown language."), content_type="text/plain; charset=utf-8")
    user_language_set(user=request.user, language=language)
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = workspace_home(user=request.user)
    return HttpResponseRedirect(target)  # a path, never a view name to reverse
