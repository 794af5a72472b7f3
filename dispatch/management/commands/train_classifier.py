import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from dispatch.services import classifier_train


class Command(BaseCommand):
    help = "用已结案工单(最终类别)训练新的类别分类模型版本,并在留出集上评估 / train a new classifier version"

    def handle(self, *args, **options):
        try:
            version = classifier_train()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"分类模型 #{version.pk}:{version.data_description}")
        self.stdout.write(json.dumps({"version": version.pk, "n_samples": version.n_samples,
                                      "train_seconds": version.train_seconds, **version.metrics}, ensure_ascii=False))
