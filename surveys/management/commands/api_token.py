from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from surveys.api.tokens import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = ("Create a personal API token for a user and print its key once (only a hash is stored), "
            "or revoke one with --revoke ID.")

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username of the token's owner.")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument("--days", type=int, default=None, help="Lifetime in days (default API_TOKEN_DAYS).")
        parser.add_argument("--revoke", type=int, metavar="ID", help="Revoke the user's token with this id.")

    def handle(self, *args, user, name, days, revoke, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        if revoke is not None:
            if not api_token_revoke(token_id=revoke, user=owner):
                raise CommandError(f"{user} has no active token {revoke}.")
            self.stdout.write(f"Token {revoke} revoked.")
            return
        try:
            token, key = api_token_create(user=owner, name=name, days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"Token {token.pk} ({token.name}) for {user}, valid until {token.expires_at:%Y-%m-%d}. "
                          "Copy the key now: it is not shown again.")
        self.stdout.write(key)
