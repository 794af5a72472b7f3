import os
import signal
import threading

from django.core.management.base import BaseCommand

from sensors.listener import SUBSCRIPTION, mqtt_listen


class Command(BaseCommand):
    help = "监听 MQTT 传感器读数(主题 chengyun/sensors/<点位编码>/reading)"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("MQTT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("MQTT_PORT", "1883")))

    def handle(self, *args, host, port, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write(f"正在监听 {host}:{port} {SUBSCRIPTION},Ctrl+C 退出")
        mqtt_listen(host=host, port=port, stop=stop, on_ready=lambda: self.stdout.write("已订阅"),
                    on_message=lambda topic, outcome: self.stdout.write(f"{topic}: {outcome}"))
