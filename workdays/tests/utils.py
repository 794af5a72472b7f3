from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware Shanghai datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
