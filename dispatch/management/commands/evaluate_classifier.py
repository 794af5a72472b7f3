import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from dispatch.corpus import read_labelled_csv
from dispatch.services import classifier_evaluate


class Command(BaseCommand):
    help = ("在任意带标签语料上评估生产用分类流水线:用 TRAIN 训练、在 TEST 上测;最后一行输出 JSON"
            "(macro_f1, accuracy, train_seconds, predict_per_second)。CSV 可为 UTF-8(可带 BOM)或 GB18030。")

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True, help="训练集 CSV(首行为列名)")
        parser.add_argument("--test", required=True, help="测试集 CSV(首行为列名)")
        parser.add_argument("--text-col", default="text", help="文本列名(默认 text)")
        parser.add_argument("--label-col", default="label", help="标签列名(默认 label)")

    def handle(self, *args, train, test, text_col, label_col, **options):
        try:
            train_texts, train_labels = read_labelled_csv(train, text_col=text_col, label_col=label_col)
            test_texts, test_labels = read_labelled_csv(test, text_col=text_col, label_col=label_col)
            self.stderr.write(f"训练集 {len(train_texts)} 条 / {len(set(train_labels))} 类;测试集 {len(test_texts)} 条")
            evaluation = classifier_evaluate(train_texts=train_texts, train_labels=train_labels,
                                             test_texts=test_texts, test_labels=test_labels)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        unseen = set(test_labels) - set(train_labels)
        if unseen:
            self.stderr.write(f"注意:测试集中有 {len(unseen)} 个训练集没有的类别,这些样本必然判错")
        self.stdout.write(json.dumps(evaluation.as_dict(), ensure_ascii=False))
