"""Generated register data for demos and benchmarks (`rongngan seed`).

Everything is drawn from one `random.Random(seed)` and fixed dates, and the reference tables are
read in code order, so the same seed gives the same rows on any machine and database. The
proportions below are approximations chosen to look plausible; they are NOT DIW statistics.
"""

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rongngan.core.geo import in_thailand
from rongngan.core.models import District, Province, Subdistrict
from rongngan.core.thai import ce_year, thai_id_check_digit
from rongngan.registry.importer import EXPORT_COLUMNS
from rongngan.registry.models import FactoryType

SCALES = {"demo": 300, "national": 140_000}
DEMO_PASSWORD = "rongngan-demo"  # published on purpose: demo data only, printed by the command

# Relative weight of each province's share of factories (default 1). Industrial provinces around
# Bangkok and the Eastern Seaboard dominate; approximate, not DIW statistics.
PROVINCE_WEIGHTS: dict[str, float] = {
    "10": 60,  # Bangkok
    "11": 70,  # Samut Prakan
    "12": 12,
    "13": 35,  # Pathum Thani
    "14": 25,  # Phra Nakhon Si Ayutthaya
    "19": 15,  # Saraburi
    "20": 50,  # Chon Buri
    "21": 35,  # Rayong
    "24": 20,  # Chachoengsao
    "25": 8,
    "30": 25,  # Nakhon Ratchasima
    "40": 15,  # Khon Kaen
    "41": 6,
    "50": 12,
    "51": 6,
    "60": 8,
    "65": 6,
    "70": 12,
    "71": 6,
    "72": 6,
    "73": 30,  # Nakhon Pathom
    "74": 55,  # Samut Sakhon
    "80": 8,
    "84": 8,
    "90": 12,
}
DEFAULT_PROVINCE_WEIGHT = 3.0

# Approximate coordinates (lat, lon) of each provincial capital, rounded to ~0.01 degree. Written
# from general geographic knowledge (the towns' commonly published coordinates); not checked
# against an authoritative gazetteer, and only used to place generated factories near the right
# town. test_seed checks that every one lies in Thailand (core.geo.in_thailand).
CAPITALS: dict[str, tuple[float, float]] = {
    "10": (13.75, 100.50),
    "11": (13.60, 100.60),
    "12": (13.86, 100.51),
    "13": (14.02, 100.53),
    "14": (14.35, 100.57),
    "15": (14.59, 100.45),
    "16": (14.80, 100.62),
    "17": (14.89, 100.40),
    "18": (15.19, 100.13),
    "19": (14.53, 100.91),
    "20": (13.36, 100.98),
    "21": (12.68, 101.27),
    "22": (12.61, 102.10),
    "23": (12.24, 102.52),
    "24": (13.69, 101.07),
    "25": (14.05, 101.37),
    "26": (14.20, 101.21),
    "27": (13.82, 102.07),
    "30": (14.97, 102.10),
    "31": (14.99, 103.10),
    "32": (14.88, 103.49),
    "33": (15.12, 104.32),
    "34": (15.24, 104.85),
    "35": (15.79, 104.15),
    "36": (15.81, 102.03),
    "37": (15.86, 104.63),
    "38": (18.36, 103.65),
    "39": (17.20, 102.44),
    "40": (16.43, 102.83),
    "41": (17.41, 102.79),
    "42": (17.49, 101.72),
    "43": (17.87, 102.74),
    "44": (16.18, 103.30),
    "45": (16.05, 103.65),
    "46": (16.43, 103.51),
    "47": (17.16, 104.15),
    "48": (17.40, 104.77),
    "49": (16.54, 104.71),
    "50": (18.79, 98.98),
    "51": (18.58, 99.01),
    "52": (18.29, 99.49),
    "53": (17.62, 100.10),
    "54": (18.14, 100.14),
    "55": (18.78, 100.78),
    "56": (19.17, 99.90),
    "57": (19.91, 99.83),
    "58": (19.30, 97.97),
    "60": (15.70, 100.14),
    "61": (15.38, 100.02),
    "62": (16.48, 99.52),
    "63": (16.87, 99.13),
    "64": (17.01, 99.82),
    "65": (16.82, 100.26),
    "66": (16.44, 100.35),
    "67": (16.42, 101.16),
    "70": (13.54, 99.81),
    "71": (14.02, 99.53),
    "72": (14.47, 100.12),
    "73": (13.82, 100.06),
    "74": (13.55, 100.27),
    "75": (13.41, 100.00),
    "76": (13.11, 99.94),
    "77": (11.81, 99.80),
    "80": (8.43, 99.96),
    "81": (8.09, 98.91),
    "82": (8.45, 98.53),
    "83": (7.89, 98.40),
    "84": (9.14, 99.33),
    "85": (9.96, 98.64),
    "86": (10.49, 99.18),
    "90": (7.20, 100.59),
    "91": (6.62, 100.07),
    "92": (7.56, 99.61),
    "93": (7.62, 100.08),
    "94": (6.87, 101.25),
    "95": (6.54, 101.28),
    "96": (6.43, 101.82),
}

# Relative weight of each factory type code (default 1): food and agricultural processing, rice
# mills, plastics, metal products, motor repair and sand/stone are the common ones. Approximate.
TYPE_WEIGHTS: dict[str, float] = {
    "002": 8,  # agricultural produce
    "003": 8,  # stone, gravel, sand
    "004": 4,
    "006": 5,
    "008": 4,
    "009": 14,  # grains: rice milling
    "010": 4,
    "015": 4,
    "020": 4,
    "028": 4,
    "034": 6,
    "037": 4,
    "042": 5,
    "052": 5,
    "053": 9,  # plastics
    "058": 8,  # concrete products
    "063": 5,
    "064": 10,  # metal products
    "077": 5,
    "091": 4,
    "095": 10,  # motor vehicle repair
    "100": 4,
    "105": 3,
    "106": 4,
}
FOOD_WEIGHT = 2.0  # every other food code 001-027
DEFAULT_TYPE_WEIGHT = 1.0

# Words of company names by type code range, Thai and English side by side.
SECTOR_WORDS: list[tuple[range, list[tuple[str, str]]]] = [
    (
        range(1, 22),
        [
            ("อาหาร", "Food"),
            ("เกษตร", "Agro"),
            ("ซีฟู้ด", "Seafood"),
            ("น้ำตาล", "Sugar"),
            ("โรงสี", "Rice Mill"),
            ("ฟู้ดส์", "Foods"),
        ],
    ),
    (range(22, 34), [("สิ่งทอ", "Textile"), ("การ์เมนท์", "Garment"), ("ฟอกย้อม", "Dyeing")]),
    (
        range(34, 42),
        [
            ("ค้าไม้", "Timber"),
            ("เฟอร์นิเจอร์", "Furniture"),
            ("กระดาษ", "Paper"),
            ("การพิมพ์", "Printing"),
        ],
    ),
    (
        range(42, 51),
        [
            ("เคมีภัณฑ์", "Chemicals"),
            ("ปิโตรเคมี", "Petrochemical"),
            ("ปุ๋ย", "Fertiliser"),
            ("สี", "Paint"),
        ],
    ),
    (range(51, 54), [("ยางพารา", "Rubber"), ("พลาสติก", "Plastics"), ("โพลิเมอร์", "Polymer")]),
    (
        range(54, 59),
        [("ปูนซิเมนต์", "Cement"), ("คอนกรีต", "Concrete"), ("เซรามิก", "Ceramics"), ("แก้ว", "Glass")],
    ),
    (range(59, 65), [("โลหะ", "Metal"), ("เหล็ก", "Steel"), ("สตีล", "Steel Works")]),
    (
        range(65, 88),
        [
            ("เครื่องจักร", "Machinery"),
            ("อิเล็กทรอนิกส์", "Electronics"),
            ("ออโต้พาร์ท", "Auto Parts"),
            ("วิศวกรรม", "Engineering"),
        ],
    ),
    (range(88, 93), [("พลังงาน", "Energy"), ("ห้องเย็น", "Cold Storage"), ("แพ็คกิ้ง", "Packing")]),
    (range(93, 101), [("ยานยนต์", "Motor"), ("เซอร์วิส", "Service"), ("บริการ", "Services")]),
    (
        range(101, 108),
        [("รีไซเคิล", "Recycling"), ("สิ่งแวดล้อม", "Environmental"), ("ศิลาทราย", "Sand and Stone")],
    ),
]
PREFIX_WORDS: list[tuple[str, str]] = [
    ("ไทย", "Thai"),
    ("สยาม", "Siam"),
    ("รุ่งเรือง", "Rungruang"),
    ("เจริญ", "Charoen"),
    ("สหกิจ", "Sahakit"),
    ("ศรีสวัสดิ์", "Srisawat"),
    ("มั่นคง", "Mankhong"),
    ("อุดม", "Udom"),
    ("ทองคำ", "Thongkham"),
    ("พัฒนา", "Pattana"),
    ("เอเชีย", "Asia"),
    ("แปซิฟิก", "Pacific"),
    ("โกลบอล", "Global"),
    ("ยูไนเต็ด", "United"),
    ("สุวรรณ", "Suwan"),
    ("ชัยมงคล", "Chaimongkol"),
    ("บูรพา", "Burapha"),
    ("ก้าวหน้า", "Kaona"),
    ("นครไทย", "Nakhon Thai"),
]
SUFFIX_WORDS: list[tuple[str, str]] = [
    ("อุตสาหกรรม", "Industry"),
    ("", ""),
    ("", ""),
    ("กรุ๊ป", "Group"),
    ("โปรดักส์", "Products"),
    ("เอ็นเตอร์ไพรส์", "Enterprise"),
    ("", ""),
    ("อินดัสตรี้", "Industries"),
]
# A word that appears in a few names only, for the search benchmark's "rare word" case.
RARE_WORD = ("มหัศจรรย์", "Marvel")
RARE_SHARE = 0.002

ESTATES: dict[str, list[str]] = {
    "10": ["นิคมอุตสาหกรรมบางชัน", "นิคมอุตสาหกรรมลาดกระบัง"],
    "11": ["นิคมอุตสาหกรรมบางปู", "นิคมอุตสาหกรรมบางพลี"],
    "13": ["นิคมอุตสาหกรรมนวนคร"],
    "14": ["นิคมอุตสาหกรรมโรจนะ", "นิคมอุตสาหกรรมบางปะอิน", "นิคมอุตสาหกรรมไฮเทค"],
    "19": ["นิคมอุตสาหกรรมแก่งคอย"],
    "20": ["นิคมอุตสาหกรรมแหลมฉบัง", "นิคมอุตสาหกรรมอมตะซิตี้ ชลบุรี", "นิคมอุตสาหกรรมปิ่นทอง"],
    "21": ["นิคมอุตสาหกรรมมาบตาพุด", "นิคมอุตสาหกรรมเหมราชตะวันออก", "นิคมอุตสาหกรรมอมตะซิตี้ ระยอง"],
    "24": ["นิคมอุตสาหกรรมเวลโกรว์"],
    "25": ["นิคมอุตสาหกรรม 304"],
    "51": ["นิคมอุตสาหกรรมภาคเหนือ"],
    "74": ["นิคมอุตสาหกรรมสมุทรสาคร"],
    "90": ["นิคมอุตสาหกรรมภาคใต้"],
}
FIRST_NAMES = ["สมชาย", "สมศรี", "วิชัย", "สุนันทา", "ประเสริฐ", "กาญจนา", "อนุชา", "พรทิพย์"]
LAST_NAMES = ["ใจดี", "ศรีสุข", "ทองมา", "วงศ์สวัสดิ์", "แก้วกาญจน์", "บุญมี", "สุขเจริญ"]

MACHINES: list[tuple[str, str, str, tuple[int, int]]] = [
    # (Thai name, type, English name, horsepower range)
    ("หม้อไอน้ำ", "boiler", "Boiler", (20, 400)),
    ("เครื่องอัดอากาศ", "compressor", "Air compressor", (10, 150)),
    ("เครื่องฉีดพลาสติก", "injection_moulding", "Injection moulding machine", (15, 200)),
    ("เครื่องกลึง", "lathe", "Lathe", (5, 40)),
    ("เครื่องปั๊มโลหะ", "press", "Stamping press", (20, 300)),
    ("เครื่องกำเนิดไฟฟ้า", "generator", "Generator", (50, 1000)),
    ("หม้อแปลงไฟฟ้า", "transformer", "Transformer", (100, 2000)),
    ("เครื่องสีข้าว", "rice_mill", "Rice milling machine", (30, 300)),
]
MAKERS = [
    "Mitsubishi",
    "Hitachi",
    "Siemens",
    "Atlas Copco",
    "Haitian",
    "Engel",
    "Kobelco",
    "ไทยบอยเลอร์",
    "สยามแมชชีนเนอรี่",
]

# Bounds of licence dates: B.E. 2530-2567.
FIRST_LICENCE = dt.date(ce_year(2530), 1, 1)
LAST_LICENCE = dt.date(ce_year(2567), 12, 31)

# Rows the demo logins rely on: the first factories always go to these two operators.
OPERATOR_A_FACTORIES = [("21", "2101"), ("21", "2101"), ("21", ""), ("21", ""), ("21", "")]
OPERATOR_B_FACTORIES = [("20", ""), ("20", "")]


@dataclass
class Company:
    juristic_id: str
    name_th: str
    name_en: str
    province: str


@dataclass
class Generated:
    rows: list[dict[str, Any]]
    operator_a: Company
    operator_b: Company
    # registration number -> list of machine dicts
    machines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _weighted(rng: random.Random, keys: list[str], cum: list[float]) -> str:
    return rng.choices(keys, cum_weights=cum, k=1)[0]


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


class Generator:
    """Draws factories; one instance per run (it counts sequences and IDs)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.provinces = {p.code: p for p in Province.objects.order_by("code")}
        self.districts: dict[str, list[District]] = {}
        for d in District.objects.order_by("code"):
            self.districts.setdefault(d.province_id, []).append(d)
        self.subdistricts: dict[str, list[Subdistrict]] = {}
        for s in Subdistrict.objects.order_by("code"):
            self.subdistricts.setdefault(s.district_id, []).append(s)
        self.type_codes = list(FactoryType.objects.order_by("code").values_list("code", flat=True))
        self.province_codes = [c for c in self.provinces if c in CAPITALS]
        self.province_cum = _cumulative(
            [PROVINCE_WEIGHTS.get(c, DEFAULT_PROVINCE_WEIGHT) for c in self.province_codes]
        )
        self.type_cum = _cumulative([self._type_weight(c) for c in self.type_codes])
        self.sequences: dict[tuple[str, str], int] = {}
        self.next_juristic = 1
        self.next_machine = 1

    @staticmethod
    def _type_weight(code: str) -> float:
        if code in TYPE_WEIGHTS:
            return TYPE_WEIGHTS[code]
        return FOOD_WEIGHT if int(code) <= 27 else DEFAULT_TYPE_WEIGHT

    def juristic_id(self, province: str, public: bool) -> str:
        # 0 + registering office (province code) + 5 (company) / 7 (public company) + B.E. year
        # (2 digits) + running number (5 digits) + check digit; unique by the running number.
        n = self.next_juristic
        self.next_juristic += 1
        year = self.rng.randint(30, 67)
        first12 = f"0{province}{7 if public else 5}{year:02d}{n % 100_000:05d}{n // 100_000 % 10}"
        return first12 + thai_id_check_digit(first12)

    def company(self, province: str, type_code: str) -> Company:
        rng = self.rng
        sector = next(words for r, words in SECTOR_WORDS if int(type_code) in r)
        sector_th, sector_en = rng.choice(sector)
        prefix_th, prefix_en = rng.choice(PREFIX_WORDS)
        if rng.random() < RARE_SHARE:
            prefix_th, prefix_en = RARE_WORD
        suffix_th, suffix_en = rng.choice(SUFFIX_WORDS)
        p = self.provinces[province]
        with_province = rng.random() < 0.35
        public = rng.random() < 0.03
        core_th = f"{prefix_th}{sector_th}{suffix_th}"
        core_en = " ".join(x for x in (prefix_en, sector_en, suffix_en) if x)
        if with_province:
            core_th += p.name_th
            core_en += f" {p.name_en}"
        name_th = f"บริษัท {core_th} จำกัด" + (" (มหาชน)" if public else "")
        name_en = f"{core_en} {'Public Company Limited' if public else 'Co., Ltd.'}"
        return Company(self.juristic_id(province, public), name_th, name_en, province)

    def point(self, province: str) -> tuple[Decimal, Decimal]:
        lat0, lon0 = CAPITALS[province]
        for _ in range(20):
            lat = lat0 + self.rng.gauss(0, 0.08)
            lon = lon0 + self.rng.gauss(0, 0.08)
            if in_thailand(lat, lon):
                return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")
        return Decimal(f"{lat0:.6f}"), Decimal(f"{lon0:.6f}")

    def registration_no(self, province: str, type_code: str, estate: bool) -> str:
        key = (province, type_code)
        n = self.sequences.get(key, 0) + 1
        self.sequences[key] = n
        body = 7 if estate else self.rng.choice((1, 2, 2))
        location = self.rng.choice((2, 3)) if estate else 0
        return f"{body}{location}{province}{type_code}00{n % 10_000:04d}{n // 10_000 % 10}"

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def row(self, company: Company, type_code: str, district_code: str = "") -> dict[str, Any]:
        rng = self.rng
        province = company.province
        districts = self.districts[province]
        if district_code:
            district = next(d for d in districts if d.code == district_code)
        else:
            # The capital district (listed first) gets more factories than the others.
            district = districts[0] if rng.random() < 0.3 else rng.choice(districts)
        subdistrict = rng.choice(self.subdistricts[district.code])
        estate_names = ESTATES.get(province, [])
        estate = bool(estate_names) and rng.random() < 0.25
        types = [type_code]
        if rng.random() < 0.1:
            extra = _weighted(rng, self.type_codes, self.type_cum)
            if extra != type_code:
                types.append(extra)
        factory_class = rng.choices((1, 2, 3), weights=(8, 12, 80))[0]
        status = rng.choices(("operating", "suspended", "closed"), weights=(88, 5, 7))[0]
        # Mostly at or above the 2019 threshold of 50 workers; some smaller ones remain registered.
        workers = (
            50 + int(rng.lognormvariate(3.5, 1.2)) if rng.random() < 0.85 else rng.randint(7, 49)
        )
        horsepower = Decimal(int(rng.lognormvariate(5.0, 1.1)) + 50)
        capital = Decimal(rng.choice((1, 2, 5, 10, 20, 50, 100, 500))) * 1_000_000
        licensed = self.date_between(FIRST_LICENCE, LAST_LICENCE)
        started = min(licensed + dt.timedelta(days=rng.randint(0, 365)), LAST_LICENCE)
        lat, lon = self.point(province)
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        road = rng.choice(("", " ถนนสุขุมวิท", " ถนนเพชรเกษม", " ถนนมิตรภาพ", " ถนนพหลโยธิน"))
        return {
            "registration_no": self.registration_no(province, type_code, estate),
            "former_registration_no": "",
            "name_th": company.name_th,
            "name_en": company.name_en,
            "juristic_id": company.juristic_id,
            "operator_name": company.name_th,
            "type_codes": ";".join(types),
            "primary_type": type_code,
            "factory_class": str(factory_class),
            "status": status,
            "address": f"{rng.randint(1, 999)}/{rng.randint(1, 99)} หมู่ {rng.randint(1, 12)}{road}",
            "province": province,
            "district": district.code,
            "subdistrict": subdistrict.code,
            "postcode": (subdistrict.postcodes.split() or [""])[0],
            "latitude": str(lat),
            "longitude": str(lon),
            "horsepower": str(horsepower),
            "workers": str(workers),
            "capital": str(capital),
            "licensed_on": licensed.isoformat(),
            "started_on": started.isoformat(),
            "in_industrial_estate": "1" if estate else "0",
            "estate_name": rng.choice(estate_names) if estate else "",
            "contact_name": contact,
            "contact_phone": f"0{rng.randint(2, 9)}{rng.randint(0, 9_999_999):07d}",
            "contact_email": "",
        }

    def machines(self, regno: str) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        for _ in range(rng.randint(1, 3)):
            name_th, kind, name_en, (lo, hi) = rng.choice(MACHINES)
            year = rng.randint(1990, 2024)
            registered = rng.random() < 0.4
            number = ""
            if registered:
                number = f"ครจ.{regno[2:4]}-{self.next_machine:06d}/{year + 543 + 1}"
                self.next_machine += 1
            out.append(
                {
                    "name": f"{name_th} ({name_en})",
                    "machine_type": kind,
                    "maker": rng.choice(MAKERS),
                    "model_name": f"{kind[:3].upper()}-{rng.randint(100, 999)}",
                    "serial_no": f"SN{rng.randint(0, 99_999_999):08d}",
                    "year_made": year,
                    "horsepower": Decimal(rng.randint(lo, hi)),
                    "registration_no": number,
                    "registered_on": dt.date(year + 1, rng.randint(1, 12), rng.randint(1, 28))
                    if registered
                    else None,
                    "mortgaged": registered and rng.random() < 0.5,
                }
            )
        return out

    def generate(self, count: int) -> Generated:
        rng = self.rng
        operator_a = self.company("21", "042")
        operator_a.name_th, operator_a.name_en = (
            "บริษัท ระยองไทยเคมีภัณฑ์ จำกัด",
            "Rayong Thai Chemicals Co., Ltd.",
        )
        operator_b = self.company("20", "053")
        operator_b.name_th, operator_b.name_en = (
            "บริษัท ชลบุรีพลาสติกอุตสาหกรรม จำกัด",
            "Chonburi Plastics Industry Co., Ltd.",
        )
        fixed = [(operator_a, "042", d) for _p, d in OPERATOR_A_FACTORIES]
        fixed += [(operator_b, "053", d) for _p, d in OPERATOR_B_FACTORIES]
        rows: list[dict[str, Any]] = []
        machines: dict[str, list[dict[str, Any]]] = {}
        # Some operators run several factories: keep recent companies per province to reuse.
        recent: dict[str, list[Company]] = {}
        for i in range(count):
            if i < len(fixed):
                company, type_code, district = fixed[i]
            else:
                province = _weighted(rng, self.province_codes, self.province_cum)
                type_code = _weighted(rng, self.type_codes, self.type_cum)
                district = ""
                pool = recent.setdefault(province, [])
                if pool and rng.random() < 0.2:
                    company = rng.choice(pool)
                else:
                    company = self.company(province, type_code)
                    pool.append(company)
                    del pool[:-20]
            row = self.row(company, type_code, district)
            rows.append(row)
            if rng.random() < 1 / 3:
                machines[row["registration_no"]] = self.machines(row["registration_no"])
        return Generated(rows=rows, operator_a=operator_a, operator_b=operator_b, machines=machines)


def generate(count: int, seed: int) -> Generated:
    return Generator(seed).generate(count)


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def iter_numbered(rows: list[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows numbered as in a spreadsheet (the header is row 1)."""
    return enumerate(rows, start=2)
