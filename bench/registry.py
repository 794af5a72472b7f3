"""社区底册 import, linkage and search: generated data books through `manage.py import_registry` into PostgreSQL,
against a bare COPY of the same rows into plain tables in the same run.

    python bench/registry.py [--persons 200000] [--households 80000] [--dup-rate 0.05]
                             [--database-url postgres://postgres@127.0.0.1:5432/chengyun_rimport_bench]

Three files, imported in order: the households (房屋表), the 居委会's persons (most with ID numbers), then a second
source (the police's list) holding the planted near-duplicates of persons already imported — no ID number, a
variant character in the name, full-width digits, 衖 for 弄, a missing room, a missing phone or birth date — and as
many genuinely new persons living in the same buildings (hard negatives). Linkage precision and recall are measured
on the second source's rows against the planted truth. Then searches by name, phone and address as a 居委干部 sees
them (registry.selectors.persons / households: count + first page). Targets (issue 17): import ≥ 5 % of COPY's
rows/s, precision ≥ 0.95, recall ≥ 0.90, search p95 < 100 ms, peak < 1 GB. The last line is JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOUSEHOLD_HEADER = ["地址", "房屋状态", "租住人数", "租赁起始", "租赁截止", "群租", "备注"]
PERSON_HEADER = ["姓名", "性别", "出生日期", "身份证号", "联系电话", "居住地址", "人员类型", "与户主关系", "备注"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红春梅琴云建国志文斌宇浩凯鹏飞海波林辉晨慧颖佳琳雪婷倩"
VARIANTS = dict(zip("伟芳丽明英华军国建红玲静杰涛琳敏娟霞萍梅云斌浩凯鹏林辉晨慧颖佳雪婷",
                    "玮方莉铭瑛花君囯健虹琳婧洁韬霖闵鹃侠苹媚芸彬皓恺朋琳晖辰蕙莹嘉薛亭", strict=True))
FULL = str.maketrans("0123456789", "0123456789")
RELATIONS = ["配偶", "子女", "父母", "孙子女", "其他"]


def id_number(birth: date, seq: int, female: bool) -> str:
    body = f"310106{birth:%Y%m%d}{seq % 100:02d}{(seq // 100 % 5) * 2 + (0 if female else 1)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def addresses(count: int, rng: random.Random) -> list[str]:
    """Distinct room addresses inside the demo gazetteer's 弄 ranges."""
    sys.path.insert(0, str(ROOT))
    from demo.data import ESTATES

    lanes = [(road, n) for _, _, ranges, _ in ESTATES for road, kind, first, last in ranges if kind == "弄"
             for n in range(first, last + 1)]
    out, seen = [], set()
    while len(out) < count:
        road, lane = rng.choice(lanes)
        text = f"{road}{lane}弄{rng.randint(1, 12)}号{rng.randint(1, 6)}{rng.randint(1, 4):02d}室"
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def variant_address(address: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        return address.split("号")[0] + "号"  # the room missing
    if roll < 0.7:
        return address.translate(FULL).replace("弄", "衖")
    return "上海市静安区" + address


def variant_name(name: str, rng: random.Random) -> str:
    positions = [i for i in range(1, len(name)) if name[i] in VARIANTS]
    if not positions or rng.random() < 0.4:
        return name
    i = rng.choice(positions)
    return name[:i] + VARIANTS[name[i]] + name[i + 1:]


def generate(workdir: Path, persons: int, households: int, dup_rate: float, seed: int = 17) -> dict:
    rng = random.Random(seed)
    homes = addresses(households, rng)
    with open(workdir / "households.csv", "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HOUSEHOLD_HEADER)
        for i, address in enumerate(homes):
            rented = rng.random() < 0.25
            writer.writerow([address, "出租" if rented else rng.choice(["自住", "自住", "空置"]),
                             rng.randint(1, 6) if rented else "", "2025-03-01" if rented else "",
                             "2027-02-28" if rented else "", "是" if rented and rng.random() < 0.05 else "否",
                             f"H{i}"])
    dups = int(persons * dup_rate)
    first_count = persons - 2 * dups
    people, heads = [], set()
    with open(workdir / "persons_a.csv", "w", newline="", encoding="gb18030") as handle:  # the 居委会's GBK sheet
        writer = csv.writer(handle)
        writer.writerow(PERSON_HEADER)
        for i in range(first_count):
            home = rng.randrange(households)
            female = rng.random() < 0.5
            birth = date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 85))
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            phone = f"13{rng.randint(0, 9)}{i:08d}" if rng.random() < 0.9 else ""
            number = id_number(birth, i, female) if rng.random() < 0.7 else ""
            relation = "户主" if home not in heads else rng.choice(RELATIONS)
            heads.add(home)
            people.append((name, "女" if female else "男", birth, phone, home))
            writer.writerow([name, "女" if female else "男", birth.isoformat(), number, phone, homes[home],
                             rng.choice(["户籍", "户籍", "常住", "流动"]), relation, f"A{i}"])
    truth = {}
    with open(workdir / "persons_b.csv", "w", newline="", encoding="utf-8") as handle:  # the police's list
        writer = csv.writer(handle)
        writer.writerow(PERSON_HEADER)
        for j in range(2 * dups):
            if j % 2 == 0:  # a planted near-duplicate of person i
                i = rng.randrange(first_count)
                name, gender, birth, phone, home = people[i]
                truth[f"B{j}"] = f"A{i}"
                keep_phone = bool(phone) and rng.random() < 0.7
                keep_birth = rng.random() < 0.75 or not keep_phone
                writer.writerow([variant_name(name, rng), gender, birth.isoformat() if keep_birth else "", "",
                                 phone if keep_phone else "", variant_address(homes[home], rng), "", "", f"B{j}"])
            else:  # a new person in a building already on the books: same surname as a resident there
                name, gender, birth, phone, home = people[rng.randrange(first_count)]
                new_name = name[0] + "".join(rng.choice(GIVEN) for _ in range(len(name) - 1))
                new_birth = date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 85))
                room = homes[home].split("号")[0] + f"号{rng.randint(7, 9)}0{rng.randint(1, 4)}室"
                writer.writerow([new_name, gender, new_birth.isoformat(), "", f"15{rng.randint(0, 9)}{j:08d}", room,
                                 "流动", "", f"B{j}"])
    return truth


def recreate_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def import_file(env: dict, path: Path, kind: str) -> tuple[float, dict]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", "import_registry", str(path), "--kind", kind, "--user",
                             "dispatcher"], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return seconds, json.loads(result.stdout.strip().splitlines()[-1])


def copy_baseline(url: str, files: list[tuple[Path, int, str]]) -> float:
    import psycopg

    total = 0.0
    with psycopg.connect(url) as conn:
        for n, (path, width, encoding) in enumerate(files):
            conn.execute(f"CREATE TABLE bench_copy_{n} (" + ", ".join(f"c{i} text" for i in range(width)) + ")")
            conn.commit()
            started = time.perf_counter()
            with open(path, encoding=encoding) as handle, conn.cursor() as cur:
                with cur.copy(f"COPY bench_copy_{n} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                    while block := handle.read(1 << 20):
                        copy.write(block)
            conn.commit()
            total += time.perf_counter() - started
    return total


def linkage_quality(truth: dict[str, str]) -> dict:
    """Inside Django: the second source's pairs (candidates, and rows matched exactly) against the planted truth."""
    from registry.models import ChangeRecord, LinkCandidate, Person, RegistryImportJob

    job = RegistryImportJob.objects.filter(original_name="persons_b.csv").latest("pk")
    a_ids = dict(Person.objects.filter(notes__startswith="A").values_list("notes", "id"))
    predicted: dict[str, int] = {}
    for values, object_id in LinkCandidate.objects.filter(job=job).values_list("values", "object_id"):
        predicted[values.get("notes", "")] = object_id
    # A row matched by an exact key updated the person: its 备注 went from "A…" to the row's "B…".
    for object_id, changes in ChangeRecord.objects.filter(entity="person", action="update", source="import",
                                                          at__gte=job.started_at).values_list("object_id", "changes"):
        before, after = changes.get("notes", [None, None])
        if before and after:
            a_ids[before] = object_id
            predicted[after] = object_id
    correct = sum(1 for b, pk in predicted.items() if b in truth and a_ids.get(truth[b]) == pk)
    precision = correct / len(predicted) if predicted else 0.0
    recall = correct / len(truth) if truth else 0.0
    return {"linkage_pairs": len(predicted), "linkage_correct": correct, "linkage_precision": round(precision, 4),
            "linkage_recall": round(recall, 4)}


def search_timings(samples: int) -> dict:
    """Inside Django: a 居委干部's searches by name, phone and address (count + first page of 50)."""
    from django.db import connection

    from org.models import User
    from registry import selectors
    from registry.models import Household, Person

    cadre = User.objects.get(username="cadre")
    rng = random.Random(5)
    mine = list(Person.objects.filter(neighbourhood_id=cadre.neighbourhood_id).values_list("name", "phone")[:20000])
    keys = list(Household.objects.filter(neighbourhood_id=cadre.neighbourhood_id).values_list("address_key", "road",
                                                                                              "lane")[:20000])
    terms = []
    for _ in range(samples):
        name, phone = rng.choice(mine)
        key, road, lane = rng.choice(keys)
        terms += [("name", name), ("phone", phone or "13800000000"), ("address", rng.choice([key, f"{road}{lane}弄",
                                                                                           road]))]
    times: dict[str, list[float]] = {"name": [], "phone": [], "address": []}
    connection.ensure_connection()
    for kind, term in terms:
        started = time.perf_counter()
        if kind == "address":
            qs = selectors.households(cadre, q=term)
        else:
            qs = selectors.persons(cadre, q=term)
        qs.count()
        list(qs[:50])
        times[kind].append((time.perf_counter() - started) * 1000)
    out = {}
    everything = sorted(t for ts in times.values() for t in ts)
    for kind, ts in times.items():
        ts.sort()
        out[f"search_{kind}_p50_ms"] = round(statistics.median(ts), 1)
        out[f"search_{kind}_p95_ms"] = round(ts[int(len(ts) * 0.95) - 1], 1)
    out["search_p50_ms"] = round(statistics.median(everything), 1)
    out["search_p95_ms"] = round(everything[int(len(everything) * 0.95) - 1], 1)
    return out


def inner(mode: str, argument: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengyun.settings")
    django.setup()
    if mode == "quality":
        print(json.dumps(linkage_quality(json.loads(Path(argument).read_text()))))
    else:
        print(json.dumps(search_timings(int(argument))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--households", type=int, default=80_000)
    parser.add_argument("--dup-rate", type=float, default=0.05)
    parser.add_argument("--searches", type=int, default=200, help="searches of each kind")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/chengyun_rimport_bench")
    parser.add_argument("--inner", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        return inner(*args.inner)
    with tempfile.TemporaryDirectory(prefix="chengyun-registry-") as tmp:
        workdir = Path(tmp)
        env = {**os.environ, "DATABASE_URL": args.database_url, "CHENGYUN_VAR_DIR": tmp, "LOG_LEVEL": "ERROR",
               "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50}
        recreate_database(args.database_url)
        for command in (["migrate", "--noinput"], ["load_demo", "--cases", "0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        truth = generate(workdir, args.persons, args.households, args.dup_rate)
        (workdir / "truth.json").write_text(json.dumps(truth))
        load_1m = os.getloadavg()[0]
        steps = {}
        for name, kind in (("households.csv", "households"), ("persons_a.csv", "persons"),
                           ("persons_b.csv", "persons")):
            seconds, counts = import_file(env, workdir / name, kind)
            steps[name] = {"seconds": round(seconds, 1), **counts}
            print(f"import_registry {name}: {seconds:.1f}s {counts}", flush=True)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        import_seconds = sum(s["seconds"] for s in steps.values())
        rows = args.persons + args.households
        copy_seconds = copy_baseline(args.database_url, [(workdir / "households.csv", len(HOUSEHOLD_HEADER), "utf-8-sig"),
                                                         (workdir / "persons_a.csv", len(PERSON_HEADER), "gb18030"),
                                                         (workdir / "persons_b.csv", len(PERSON_HEADER), "utf-8")])
        quality = json.loads(subprocess.run([sys.executable, __file__, "--inner", "quality", str(workdir / "truth.json")],
                                            cwd=ROOT, env=env, check=True, capture_output=True,
                                            text=True).stdout.strip().splitlines()[-1])
        search = json.loads(subprocess.run([sys.executable, __file__, "--inner", "search", str(args.searches)], cwd=ROOT,
                                           env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    import_rate, copy_rate = rows / import_seconds, rows / copy_seconds
    print(f"import: {rows} rows in {import_seconds:.1f}s = {import_rate:.0f} rows/s; COPY {copy_seconds:.2f}s = "
          f"{copy_rate:.0f} rows/s ({100 * import_rate / copy_rate:.1f} %); peak {peak_mb:.0f} MB")
    print(f"linkage: {quality}; search: {search}")
    print(json.dumps({"bench": "registry", "persons": args.persons, "households": args.households,
                      "planted_duplicates": len(truth), "database": "postgresql",
                      "import_rows_per_s": round(import_rate), "copy_rows_per_s": round(copy_rate),
                      "import_over_copy": round(import_rate / copy_rate, 4), **quality, **search,
                      "peak_mb": round(peak_mb), "steps": steps, "load_1m_at_start": round(load_1m, 1),
                      "targets": {"import_over_copy": 0.05, "linkage_precision": 0.95, "linkage_recall": 0.90,
                                  "search_p95_ms": 100, "peak_mb": 1024}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
