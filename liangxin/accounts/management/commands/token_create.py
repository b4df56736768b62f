from django.core.management.base import CommandError

from liangxin.accounts.models import User
from liangxin.accounts.services import api_token_create
from liangxin.core.management.base import ServiceCommand
from liangxin.core.progress import cli_actor


class Command(ServiceCommand):
    help = "为用户生成 API 令牌 Create an API token for a user; prints the token once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行生成")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"未找到用户 {username} (unknown user)")
        _token, key = api_token_create(actor=cli_actor(), user=user, name=name)
        self.stdout.write(key)
