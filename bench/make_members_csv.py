#!/usr/bin/env python3
"""Writes a members spreadsheet (CSV, UTF-8 with BOM, the import template's columns) for benchmarks
and the 100k-row acceptance run.

    make_members_csv.py UNIONS.tsv ROWS OUT.csv [--bad 0.01] [--seed 1] [--skip 0]

UNIONS.tsv: lines of `union_id<TAB>region_code` (grassroots unions the rows may name).
ID numbers are valid GB 11643 numbers, unique within the file, with birth dates in 1950–1964 so they
never collide with the demo's members (born 1965–2004). A fraction --bad of the rows is broken on
purpose, in several ways, so the error report has something to say. --skip N starts each region's
ID numbers after the first N a file would have, so a second file does not repeat the first's.
"""
import argparse
import datetime
import random

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国红梅玉志海燕晓东春雨佳怡浩然欣梓涵宇航思远新振雪松文"
EDUCATION = ["大学本科", "大学专科", "高中", "初中", "中专", "硕士研究生", ""]
POLITICAL = ["群众", "群众", "群众", "中共党员", "共青团员"]
JOBS = ["操作工", "技术员", "销售", "司机", "会计", "保洁", "焊工", "教师", "护士", ""]


def id_number(region, birth, seq):
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("unions")
    p.add_argument("rows", type=int)
    p.add_argument("out")
    p.add_argument("--bad", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--skip", type=int, default=0)
    a = p.parse_args()
    rng = random.Random(a.seed)
    unions = [line.split("\t") for line in open(a.unions, encoding="utf-8").read().split("\n") if line.strip()]
    start = datetime.date(1950, 1, 1)
    span = (datetime.date(1964, 12, 31) - start).days + 1
    counters = {}
    with open(a.out, "w", encoding="utf-8-sig", newline="") as f:
        f.write("姓名,性别,出生日期,民族,身份证号,手机号,学历,政治面貌,工会组织编号,工作岗位,是否农民工,入会日期\r\n")
        for n in range(a.rows):
            union_id, region = unions[rng.randrange(len(unions))]
            region = region[:6]
            # Unique per region: walk birth dates, then sequence numbers.
            k = counters.get(region, a.skip)
            counters[region] = k + 1
            birth = start + datetime.timedelta(days=(k * 7919) % span)
            seq = (k // span) * 2 + rng.randrange(2)
            ident = id_number(region, birth, seq % 1000)
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
            phone = "1" + rng.choice("35789") + "".join(rng.choice("0123456789") for _ in range(9))
            row = [name, "", "", "汉族", ident, phone, rng.choice(EDUCATION), rng.choice(POLITICAL), union_id,
                   rng.choice(JOBS), "是" if rng.random() < 0.25 else "否", ""]
            if rng.random() < a.bad:
                kind = rng.randrange(5)
                if kind == 0:
                    row[4] = ident[:-1] + ("1" if ident[-1] != "1" else "2")      # wrong check digit
                elif kind == 1:
                    row[4] = f"{int(ident[:17]) / 1e17:.5f}E+17"                   # Excel scientific notation
                elif kind == 2:
                    row[5] = "12345"                                             # bad phone
                elif kind == 3:
                    row[8] = "99999999"                                          # unknown union
                else:
                    row[0] = ""                                                  # missing name
            f.write(",".join(row) + "\r\n")


if __name__ == "__main__":
    main()
