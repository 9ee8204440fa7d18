"""Numbers people type (invariant 11): one parser reads `450,00`, `1 234,50`, `2.899.408,11` as a
Latvian reader does, refuses what a reader could take two ways, and the form fields built on it
render a stored value so that it reads back as the same value."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from partners.formats import format_decimal
from partners.forms import LatvianDecimalField, LatvianIntegerField
from partners.numbers import parse_decimal

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("450,00", Decimal("450.00")),
        ("450.00", Decimal("450.00")),
        ("450", Decimal("450.00")),
        ("450,5", Decimal("450.50")),
        ("0,5", Decimal("0.50")),
        ("0", Decimal("0.00")),
        ("1234,5", Decimal("1234.50")),
        ("1 234,50", Decimal("1234.50")),
        (f"1{NBSP}234,50", Decimal("1234.50")),
        (f"1{NNBSP}234,50", Decimal("1234.50")),
        (f"1{THIN}234,50", Decimal("1234.50")),
        (f"1{NBSP}234,50 €", Decimal("1234.50")),
        ("1 234,50 EUR", Decimal("1234.50")),
        ("1 234,50EUR", Decimal("1234.50")),
        ("450 eur", Decimal("450.00")),
        ("€450", Decimal("450.00")),
        ("€ 1 234,50", Decimal("1234.50")),
        ("EUR 450,00", Decimal("450.00")),
        ("  450,00  ", Decimal("450.00")),
        ("1 234", Decimal("1234.00")),
        ("1 234.50", Decimal("1234.50")),
        ("1 234,5", Decimal("1234.50")),
        ("2 899 408,11", Decimal("2899408.11")),
        (f"2{NBSP}899{NBSP}408,11", Decimal("2899408.11")),
        ("2.899.408,11", Decimal("2899408.11")),
        ("2,899,408.11", Decimal("2899408.11")),
        ("2899408.11", Decimal("2899408.11")),
        ("1.234.567", Decimal("1234567.00")),
        ("1,234,567", Decimal("1234567.00")),
        ("1,5000", Decimal("1.50")),  # more decimals, but only zeros: nothing is rounded
        ("-12,50", Decimal("-12.50")),  # the models refuse negatives, with their own message
        ("\u221212,50", Decimal("-12.50")),  # a typographic minus sign
    ],
)
def test_parse_decimal_reads_numbers_as_a_latvian_reader_does(typed, expected):
    value = parse_decimal(typed)

    assert (value, value.as_tuple().exponent) == (expected, -2)


@pytest.mark.parametrize(("typed", "expected"), [("", None), ("   ", None), (None, None)])
def test_parse_decimal_reads_an_empty_input_as_no_value(typed, expected):
    assert parse_decimal(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("0,125", Decimal("0.125")), ("1 234,567", Decimal("1234.567")), ("12", Decimal("12.000"))],
)
def test_parse_decimal_keeps_the_places_it_is_asked_for(typed, expected):
    assert parse_decimal(typed, decimal_places=3) == expected


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("1,234", "gan 1234, gan 1,234"),
        ("1.234", "gan 1234, gan 1,234"),
        ("12,500", "gan 12500, gan 12,500"),
        ("999.000", "gan 999000, gan 999,000"),
        ("-1,234", "gan -1234, gan -1,234"),
        ("1,234 €", "gan 1234, gan 1,234"),
    ],
)
def test_parse_decimal_refuses_an_ambiguous_number_and_shows_how_to_write_it(typed, meant):
    with pytest.raises(ValidationError) as refused:
        parse_decimal(typed)

    assert refused.value.code == "ambiguous_number"
    assert refused.value.messages == [
        f"«{typed}» var nozīmēt {meant}. Tūkstošus atdaliet ar atstarpi vai neatdaliet nemaz, "
        "decimāldaļu — ar komatu, piemēram, «1\u00a0234,50» vai «1234,50»."
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "1.234,5.6",
        "1,234.5,6",
        "1,2,3",
        "1.23.456",
        "1,23,456",
        "1.234.56",
        "--5",
        "-",
        "+5",
        "5-",
        "- 5",
        "1e5",
        "1E5",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "abc",
        "12a",
        "٤٥٠",  # Arabic-Indic digits: Decimal() reads them, a reader here does not
        "1 23",
        "1234 567",
        "1  234",
        "1 234.567,50",
        "1.234 567",
        "450,",
        "1.234,",
        "1 234,",
        ",5",
        ".",
        "€",
        "EUR",
        "€450€",
        "1'234,50",
        "1_234",
        "0x10",
        "1\t234",
    ],
)
def test_parse_decimal_refuses_what_is_not_a_number_and_shows_how_to_write_one(typed):
    with pytest.raises(ValidationError) as refused:
        parse_decimal(typed)

    assert refused.value.code == "invalid_number"
    [message] = refused.value.messages
    assert message.endswith("nav skaitlis. Rakstiet, piemēram, «1\u00a0234,50» vai «1234,50».")


def test_parse_decimal_shows_a_long_input_shortened_in_its_message():
    with pytest.raises(ValidationError) as refused:
        parse_decimal("x" * 70_000)

    assert refused.value.messages == [
        f"«{'x' * 40}…» nav skaitlis. Rakstiet, piemēram, «1\u00a0234,50» vai «1234,50»."
    ]


@pytest.mark.parametrize("typed", ["0,001", "4500,005", "0,000000000001", "1 234,567"])
def test_parse_decimal_refuses_more_decimals_than_kept_instead_of_rounding(typed):
    with pytest.raises(ValidationError) as refused:
        parse_decimal(typed)

    assert refused.value.code == "too_many_decimals"
    assert refused.value.messages == [
        f"«{typed}»: aiz komata drīkst būt ne vairāk kā 2 cipari (skaitli neapaļo). "
        "Rakstiet, piemēram, «1\u00a0234,50»."
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1 234", Decimal(1234)), ("20", Decimal(20)), ("1.234.567", Decimal(1234567)), ("20,0", Decimal(20))],
)
def test_parse_decimal_reads_whole_numbers_with_no_places(typed, expected):
    assert parse_decimal(typed, decimal_places=0) == expected


@pytest.mark.parametrize("typed", ["1,5", "20,05"])
def test_parse_decimal_refuses_a_fraction_where_a_whole_number_is_asked_for(typed):
    with pytest.raises(ValidationError) as refused:
        parse_decimal(typed, decimal_places=0)

    assert refused.value.messages == [
        f"«{typed}» nav vesels skaitlis. Rakstiet, piemēram, «1\u00a0234» vai «1234»."
    ]


def test_parse_decimal_shows_a_whole_number_example_where_a_whole_number_is_asked_for():
    with pytest.raises(ValidationError) as ambiguous:
        parse_decimal("1,234", decimal_places=0)
    with pytest.raises(ValidationError) as invalid:
        parse_decimal("12a", decimal_places=0)

    assert ambiguous.value.messages[0].endswith("piemēram, «1\u00a0234» vai «1234».")
    assert invalid.value.messages == ["«12a» nav skaitlis. Rakstiet, piemēram, «1\u00a0234» vai «1234»."]


@pytest.mark.parametrize(
    "typed", ["1 000 000 000 000 000", "1000000000000000", "-1000000000000000,00", "9" * 40]
)
def test_parse_decimal_refuses_absurdly_large_numbers(typed):
    with pytest.raises(ValidationError) as refused:
        parse_decimal(typed)

    assert (refused.value.code, refused.value.messages) == (
        "number_too_large",
        [f"«{typed}» ir pārāk liels skaitlis."],
    )


def test_parse_decimal_takes_a_real_number_as_it_is():
    assert parse_decimal(Decimal("1234.5")) == Decimal("1234.50")
    assert parse_decimal(1234) == Decimal("1234.00")
    for refused in (Decimal("NaN"), Decimal("Infinity"), Decimal("1.234"), Decimal(10) ** 15, True):
        with pytest.raises(ValidationError):
            parse_decimal(refused)


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("450.00"), 2, "450,00"),
        (Decimal("1234.5"), 2, f"1{NBSP}234,50"),
        (Decimal("2899408.11"), 2, f"2{NBSP}899{NBSP}408,11"),
        (Decimal("-1234.50"), 2, f"-1{NBSP}234,50"),
        (Decimal("0"), 2, "0,00"),
        (1234, 0, f"1{NBSP}234"),
        (Decimal("999"), 0, "999"),
    ],
)
def test_format_decimal_writes_the_latvian_way(value, places, shown):
    assert format_decimal(value, decimal_places=places) == shown


@settings(max_examples=300, derandomize=True)
@given(
    value=st.decimals(min_value=-(10**13), max_value=10**13, places=2, allow_nan=False, allow_infinity=False)
)
def test_what_format_decimal_writes_parse_decimal_reads_back(value):
    assert parse_decimal(format_decimal(value, decimal_places=2)) == value


@settings(max_examples=200, derandomize=True)
@given(value=st.integers(min_value=0, max_value=10**14))
def test_a_whole_number_written_reads_back(value):
    assert parse_decimal(format_decimal(value, decimal_places=0), decimal_places=0) == value


class MoneyForm(forms.Form):
    amount = LatvianDecimalField(max_digits=12, decimal_places=2, required=False)
    participants = LatvianIntegerField(min_value=0, required=False)


def test_latvian_decimal_field_is_a_text_input_that_renders_and_reads_back_the_latvian_way():
    form = MoneyForm(initial={"amount": Decimal("1234.50"), "participants": 1234})
    html = str(form["amount"])

    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'autocomplete="off"' in html
    assert f'value="1{NBSP}234,50"' in html
    assert 'inputmode="numeric"' in str(form["participants"])
    assert f'value="1{NBSP}234"' in str(form["participants"])
    bound = MoneyForm({"amount": f"1{NBSP}234,50", "participants": f"1{NBSP}234"})
    assert bound.is_valid()
    assert bound.cleaned_data == {"amount": Decimal("1234.50"), "participants": 1234}
    assert not MoneyForm(
        {"amount": f"1{NBSP}234,50", "participants": f"1{NBSP}234"},
        initial={"amount": Decimal("1234.50"), "participants": 1234},
    ).has_changed()


def test_latvian_decimal_field_refuses_with_the_parsers_message_and_keeps_what_was_typed():
    form = MoneyForm({"amount": "1,234", "participants": "1,5"})

    assert not form.is_valid()
    assert form.errors["amount"] == [
        "«1,234» var nozīmēt gan 1234, gan 1,234. Tūkstošus atdaliet ar atstarpi vai neatdaliet nemaz, "
        "decimāldaļu — ar komatu, piemēram, «1\u00a0234,50» vai «1234,50»."
    ]
    assert form.errors["participants"] == [
        "«1,5» nav vesels skaitlis. Rakstiet, piemēram, «1\u00a0234» vai «1234»."
    ]
    assert 'value="1,234"' in str(form["amount"])


@settings(max_examples=500, derandomize=True)
@given(
    typed=st.one_of(
        st.text(max_size=30),
        st.text(alphabet="0123456789 ,.-−€EUReu\u00a0\u202f\u2009", max_size=20),
    )
)
def test_parse_decimal_answers_any_text_with_a_number_or_a_latvian_refusal(typed):
    try:
        value = parse_decimal(typed)
    except ValidationError as refused:
        assert refused.code in ("invalid_number", "ambiguous_number", "too_many_decimals", "number_too_large")
        assert refused.messages[0].startswith("«")
    else:
        assert value is None or (value.as_tuple().exponent == -2 and abs(value) < 10**15)
