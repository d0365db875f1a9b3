"""The case list's search box (issue 10): each kind of identifier finds its case, typed as people type it, and the
list takes the same statements whatever the number of cases. On PostgreSQL the same queries go by the indexes of
disputes 0006 / union_portal 0005 (trigram GIN indexes for names and case numbers); on SQLite by a plain scan."""

import datetime
import re

import pytest
from django.urls import reverse

from disputes import models as disputes_models
from disputes.models import (
    CASE_NUMBER_BRACKETS,
    DIGITS,
    TRIGRAM_LENGTH,
    Case,
    CaseWorker,
    HandlingBody,
    Status,
    search_terms,
)
from tests.disputes.factories import CaseFactory, id_number
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-case="([^"]+)"', response.content.decode())


def full_width(text: str) -> str:
    """What a Chinese input method types: ０-９, Ａ-Ｚ, ａ-ｚ."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def id_number_ending_in_x() -> str:
    return next(number for n in range(1, 200) if (number := id_number(n)).endswith("X"))


@pytest.fixture
def cases(town_a):
    employer = EnterpriseFactory(town=town_a, name="北京兴旺物流有限公司")
    target = CaseFactory(
        number="大兴调〔2018〕0562",
        town=town_a,
        employer=employer,
        received_on=datetime.date(2018, 3, 1),
        workers=[
            {"name": "张伟", "id_number": id_number_ending_in_x(), "phone": "13811112222"},
            {"name": "欧阳建国", "id_number": id_number(700), "phone": "010-69241234"},
        ],
    )
    other = CaseFactory(
        number="大兴援〔2019〕0017",
        town=town_a,
        handling_body=HandlingBody.LEGAL_AID,
        received_on=datetime.date(2019, 5, 1),
        employer=EnterpriseFactory(town=town_a, name="北京福兴餐饮有限公司"),
        workers=[{"name": "李秀英", "id_number": id_number(701), "phone": "13900001111"}],
    )
    return target, other


def search(staff, query):
    return listed(staff.get(reverse("disputes:case_list"), {"q": query}))


@pytest.fixture
def staff(client_for, district_staff):
    return client_for(district_staff)


def test_an_id_number_with_a_lowercase_x_finds_its_case(staff, cases):
    number = cases[0].workers.get(name="张伟").id_number
    assert number.endswith("X")
    assert search(staff, number.lower()) == ["大兴调〔2018〕0562"]
    assert search(staff, number) == ["大兴调〔2018〕0562"]


def test_an_id_number_in_full_width_digits_finds_its_case(staff, cases):
    number = cases[0].workers.get(name="张伟").id_number
    assert search(staff, full_width(number.lower())) == ["大兴调〔2018〕0562"]
    assert search(staff, f" {number[:6]} {number[6:14]} {number[14:]} ") == ["大兴调〔2018〕0562"]


def test_part_of_an_id_number_finds_nothing(staff, cases):
    number = cases[0].workers.get(name="张伟").id_number
    assert search(staff, number[:14]) == []


@pytest.mark.parametrize("phone", ["13811112222", "１３８１１１１２２２２", "010-69241234"])
def test_a_phone_number_finds_its_case(staff, cases, phone):
    assert search(staff, phone) == ["大兴调〔2018〕0562"]


def test_part_of_a_phone_number_finds_nothing(staff, cases):
    assert search(staff, "1381111") == []


def test_a_credit_code_finds_the_employers_cases_in_any_case_and_width(staff, cases):
    code = cases[0].employer.credit_code
    assert search(staff, code) == ["大兴调〔2018〕0562"]
    assert search(staff, code.lower()) == ["大兴调〔2018〕0562"]
    assert search(staff, full_width(code.lower())) == ["大兴调〔2018〕0562"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("大兴调〔2018〕0562", ["大兴调〔2018〕0562"]),
        ("大兴调(2018)0562", ["大兴调〔2018〕0562"]),  # brackets as a keyboard types them
        ("大兴调（２０１８）０５６２", ["大兴调〔2018〕0562"]),  # full width
        ("大兴调[2018]0562", ["大兴调〔2018〕0562"]),
        ("0562", ["大兴调〔2018〕0562"]),
        ("〔2019〕", ["大兴援〔2019〕0017"]),
        ("大兴", ["大兴援〔2019〕0017", "大兴调〔2018〕0562"]),
    ],
)
def test_a_case_number_whole_or_in_part_finds_its_case(staff, cases, query, expected):
    assert search(staff, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张伟", ["大兴调〔2018〕0562"]),  # a worker's whole name
        ("欧阳建国", ["大兴调〔2018〕0562"]),  # the case's second worker
        ("阳建国", ["大兴调〔2018〕0562"]),  # part of a name
        ("建国", ["大兴调〔2018〕0562"]),  # a given name: the end of the name
        ("李", ["大兴援〔2019〕0017"]),  # a surname
        ("北京兴旺物流有限公司", ["大兴调〔2018〕0562"]),  # the employer's whole name
        ("兴旺物流", ["大兴调〔2018〕0562"]),  # part of it
        ("餐饮", ["大兴援〔2019〕0017"]),
        ("北京", ["大兴援〔2019〕0017", "大兴调〔2018〕0562"]),
        ("王小明", []),
    ],
)
def test_names_of_workers_and_employers_find_their_cases(staff, cases, query, expected):
    assert search(staff, query) == expected


def test_search_keeps_to_the_town_of_town_staff(client_for, town_a_staff, town_b, cases):
    CaseFactory(number="大兴调〔2018〕0999", town=town_b, workers=[{"name": "张伟"}])
    assert search(client_for(town_a_staff), "张伟") == ["大兴调〔2018〕0562"]


def test_search_combines_with_the_filters_and_the_count(staff, cases):
    response = staff.get(reverse("disputes:case_list"), {"q": "北京", "handling_body": "legal_aid"})
    assert listed(response) == ["大兴援〔2019〕0017"]
    assert response.context["paginator"].count == 1


# Statements: the same for 10 and 1,000 cases, for every kind of query ----------------------------------------


def add_cases(town, count, start=0):
    employer = EnterpriseFactory(town=town, name=f"大兴搜索测试{start}有限公司")
    cases = Case.objects.bulk_create(
        Case(
            number=f"测试调〔2020〕{n:05d}",
            town=town,
            handling_body=HandlingBody.CENTRE,
            status=Status.RECEIVED,
            received_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n % 300),
            employer=employer,
        )
        for n in range(start, start + count)
    )
    CaseWorker.objects.bulk_create(
        CaseWorker(case=case, name="张伟" if n % 2 else "王芳", id_number=id_number(1000 + n), phone=f"139{n:08d}")
        for n, case in enumerate(cases, start=start)
    )
    return employer


QUERIES = ["张伟", "张伟明", "大兴搜索测试", "00005", "测试调〔2020〕00007", "13900000003", "id", "code"]


@pytest.mark.parametrize("query", QUERIES)
def test_search_takes_the_same_statements_for_10_and_1000_cases(query, staff, town_a, django_assert_max_num_queries):
    def statements(query):
        with django_assert_max_num_queries(1000) as captured:
            assert staff.get(reverse("disputes:case_list"), {"q": query}).status_code == 200
        return len(captured)

    employer = add_cases(town_a, 10)
    text = {"id": id_number(1003), "code": employer.credit_code}.get(query, query)
    few = statements(text)
    add_cases(town_a, 990, start=10)
    assert Case.objects.count() == 1000
    with django_assert_max_num_queries(few):
        assert staff.get(reverse("disputes:case_list"), {"q": text}).status_code == 200


# The same cases match, whatever the way the search is read (issue 10) ------------------------------------------------


def matches(value: str, text: str, *, anywhere: bool = False) -> bool:
    """`value` holds `text` in any letter case: anywhere, or at either end for a text too short for a trigram."""
    value, text = value.upper(), text.upper()
    if anywhere or len(text) >= TRIGRAM_LENGTH:
        return text in value
    return value.startswith(text) or value.endswith(text)


def expected_numbers(query: str) -> set[str]:
    """What the search box promises, worked out in Python from every case (the oracle of the search's SQL)."""
    terms = search_terms(query)
    found = set()
    for case in Case.objects.select_related("employer").prefetch_related("workers"):
        workers = list(case.workers.all())
        if terms.is_identifier:
            hit = (
                any(terms.id_number == worker.id_number for worker in workers)
                or any(terms.phone == worker.phone for worker in workers)
                or (terms.credit_code is not None and terms.credit_code == case.employer.credit_code)
            )
        else:
            hit = matches(case.number, terms.text.translate(CASE_NUMBER_BRACKETS))
            if not DIGITS.match(terms.text):
                hit = (
                    hit
                    or matches(case.employer.name, terms.text, anywhere=True)
                    or any(matches(worker.name, terms.text) for worker in workers)
                )
        if hit:
            found.add(case.number)
    return found


@pytest.fixture
def corpus(town_a, town_b):
    def employer(name, town=town_a):
        return EnterpriseFactory(town=town, name=name)

    logistics, ascii_named, catering = (
        employer("北京兴旺物流有限公司"),
        employer("Abc物流Tech有限公司"),
        employer("李记餐饮"),
    )
    rows = [
        ("大兴调〔2018〕0562", logistics, ["张伟", "欧阳建国"], town_a),
        ("大兴援〔2019〕0017", employer("北京福兴餐饮有限公司"), ["李秀英"], town_a),
        ("亦庄镇调〔2020〕0005", ascii_named, ["王李", "Anna Wang"], town_b),
        ("亦庄镇调〔2020〕0562", employer("流水线科技公司", town_b), ["建国"], town_b),
        ("大兴调〔2021〕1000", catering, ["李"], town_a),
        ("大兴调〔2021〕1001", logistics, ["张伟明"], town_a),
        ("大兴调〔2022〕0002", employer("50%_折扣商行"), ["伟张"], town_a),
    ]
    for n, (number, company, names, town) in enumerate(rows):
        workers = [
            {"name": name, "id_number": id_number(300 + 10 * n + k), "phone": f"1370000{n:02d}{k:02d}"}
            for k, name in enumerate(names)
        ]
        CaseFactory(number=number, town=town, employer=company, workers=workers)
    return rows


SEARCHED = [
    # one character: a surname or the end of a name, a character of an employer's name or of a case number
    *["李", "王", "伟", "流", "司", "张", "a", "A", "G", "5", "2", "〕", "〔", "%", "_", "调"],
    # two characters (no trigram): ends of names and numbers, anywhere in employers' names
    *["物流", "建国", "张伟", "大兴", "ab", "AB", "ng", "20", "05", "62", "公司", "餐饮", "折扣", "%_", "兴调", "亦庄"],
    # three characters and more: anywhere
    *[
        "兴旺物流",
        "Abc",
        "abc物流",
        "ＡＢＣ",
        "欧阳建国",
        "阳建国",
        "秀英",
        "张伟明",
        "0562",
        "〔2019〕",
        "大兴调(2018)0562",
    ],
    *["2018", "2020", "有限公司", "Tech有限", "anna wang", "50%_", "王小明", "亦庄镇调〔2020〕", "1000"],
]


@pytest.mark.parametrize("named", [None, 1, 0], ids=["named", "one-named", "none-named"])
def test_every_kind_of_fragment_finds_the_cases_that_hold_it(corpus, named, monkeypatch):
    """Fragments of every length and kind, on either database; on PostgreSQL also with the matches named by their
    subqueries or conditions (SEARCH_KEYS_NAMED exceeded) instead of their keys."""
    if named is not None:
        monkeypatch.setattr(disputes_models, "SEARCH_KEYS_NAMED", named)
    workers = CaseWorker.objects.order_by("pk")
    identifiers = [
        workers.first().id_number,
        workers.last().id_number.lower(),
        workers.first().phone,
        Case.objects.get(number="大兴调〔2021〕1000").employer.credit_code.lower(),
    ]
    for query in SEARCHED + identifiers:
        found = set(Case.objects.search(query).values_list("number", flat=True))
        assert found == expected_numbers(query), query
    assert expected_numbers("李") == {"大兴援〔2019〕0017", "亦庄镇调〔2020〕0005", "大兴调〔2021〕1000"}
    assert expected_numbers("物流") == {"大兴调〔2018〕0562", "亦庄镇调〔2020〕0005", "大兴调〔2021〕1001"}


def test_the_list_counts_and_sums_the_cases_a_search_names(staff, corpus):
    response = staff.get(reverse("disputes:case_list"), {"q": "物流"})
    assert sorted(listed(response)) == sorted(expected_numbers("物流"))
    assert response.context["paginator"].count == 3
    assert response.context["summed"]["amount_claimed"]["total"] == 3 * 10000
