import json
import math
import os
import time

import paho.mqtt.publish as publish
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sensors.models import MonitoringPoint
from sensors.services import TOPIC_PREFIX


class Command(BaseCommand):
    help = "演示用:向 MQTT 发布模拟积水读数(先上涨超过阈值,再回落)"

    def add_arguments(self, parser):
        parser.add_argument("--point", help="点位编码,默认全部启用的点位")
        parser.add_argument("--steps", type=int, default=12)
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--host", default=os.environ.get("MQTT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("MQTT_PORT", "1883")))

    def handle(self, *args, point, steps, interval, host, port, **options):
        points = MonitoringPoint.objects.filter(is_active=True)
        if point:
            points = points.filter(code=point)
        points = list(points)
        if not points:
            raise CommandError("没有可模拟的监测点,请先在管理后台配置监测点")
        for step in range(steps):
            # A storm: rises to 1.5× the threshold at mid-run, then drains.
            factor = 1.5 * math.sin(math.pi * step / max(steps - 1, 1))
            for p in points:
                value = round(float(p.threshold) * factor, 2)
                payload = json.dumps({"value": value, "at": timezone.now().isoformat()})
                publish.single(f"{TOPIC_PREFIX}/{p.code}/reading", payload, qos=1, hostname=host, port=port)
                self.stdout.write(f"{p.code}: {value}{p.unit}")
            time.sleep(interval)
