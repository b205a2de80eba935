"""Sign-in for staff and interviewers.

Throttling is django-axes' (config/settings.py, docs/roles.md): its authentication backend refuses a
locked-out username and address before the password is checked, and its middleware answers with
surveys.accounts.lockout's 429 page. This view only decides where each role lands.
"""
from __future__ import annotations

from django.contrib.auth.views import LoginView

from surveys.accounts.workspace import workspace_home


class SignInView(LoginView):
    template_name = "registration/login.html"

    def get_default_redirect_url(self):
        """Each role lands on its workspace's home (surveys.accounts.workspace) unless `next` says otherwise."""
        if self.next_page:
            return super().get_default_redirect_url()
        return workspace_home(user=self.request.user)
