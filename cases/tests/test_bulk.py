"""cases.services.bulk: the helpers of bulk registration."""

import pytest
from django.db import connection, transaction

from cases.services.bulk import existing_hotline_numbers, relax_commit_durability

pytestmark = pytest.mark.django_db


def test_existing_hotline_numbers_finds_only_those_with_a_case(street):
    street.new_case(source="hotline", hotline_number="H-100")
    assert existing_hotline_numbers(["H-100", "H-101"]) == {"H-100"}
    assert existing_hotline_numbers([]) == set()


def test_existing_hotline_numbers_whatever_characters_the_numbers_hold(street):
    odd = ["A,1", 'B"2', "C\\3", "D{4}", "E 5", "F\x1f6", "工单7"]
    for number in odd[::2]:
        street.new_case(source="hotline", hotline_number=number)
    assert existing_hotline_numbers([*odd, "none"]) == set(odd[::2])
    assert existing_hotline_numbers(odd[1::2]) == set()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="synchronous_commit is a PostgreSQL setting")
@pytest.mark.django_db(transaction=True)
def test_relaxed_durability_lasts_for_the_batch_transaction_only():
    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with transaction.atomic():
        relax_commit_durability()
        assert setting() == "off"
    assert setting() == "on"
