"""Shared behaviour of liangxin's management commands: service errors become clean messages."""

from django.core.management.base import BaseCommand, CommandError

from liangxin.core.errors import ServiceError


class ServiceCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ServiceError as exc:
            raise CommandError(f"{exc.message} ({exc.message_en})") from None
