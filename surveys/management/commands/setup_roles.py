from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from surveys.accounts.roles import ROLES, role_assign, roles_install
from surveys.cati.calls import outcome_codes_install


class Command(BaseCommand):
    help = ("Create the groups agency administrator, fieldwork staff, interviewer and analyst with their "
            "permissions, and the default call outcome codes. Re-runnable; --user/--role give a user a role.")

    def add_arguments(self, parser):
        parser.add_argument("--user", help="username to give a role")
        parser.add_argument("--role", choices=sorted(ROLES), help="the role for --user")

    def handle(self, *args, user=None, role=None, **options):
        for name, count in roles_install().items():
            self.stdout.write(f"{name}: {count} permissions")
        self.stdout.write(f"outcome codes created: {outcome_codes_install()}")
        if bool(user) != bool(role):
            raise CommandError("--user and --role go together")
        if user:
            found = get_user_model().objects.filter(username=user).first()
            if found is None:
                raise CommandError(f"unknown user {user!r}")
            role_assign(user=found, role=role)
            self.stdout.write(f"{user}: {role}")
