"""The bibliography's "Author, year" labels (tools/bib_labels.py).

Reference: labels written out by hand for a few entries, including two papers by
the same authors in the same year, which must get distinct letters.
"""

import sys
from pathlib import Path

from pybtex.database import Entry, Person

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import bib_labels  # noqa: E402


def entry(authors, year, title="T"):
    return Entry(
        "misc",
        fields={"year": year, "title": title},
        persons={"author": [Person(a) for a in authors]},
    )


def labels(entries):
    return list(bib_labels.AuthorYearLabelStyle().format_labels(entries))


def test_one_two_and_many_authors():
    assert labels(
        [
            entry(["Ng, Andrew"], "2011"),
            entry(["Olshausen, Bruno", "Field, David"], "1996"),
            entry(["Bricken, Trenton", "Templeton, Adly", "Batson, Joshua"], "2023"),
        ]
    ) == ["Ng, 2011", "Olshausen and Field, 1996", "Bricken et al., 2023"]


def test_same_authors_and_year_get_distinct_letters():
    found = labels(
        [
            entry(["Rajamanoharan, S.", "Conmy, A.", "Nanda, N."], "2024", "Gated"),
            entry(["Ng, Andrew"], "2011"),
            entry(["Rajamanoharan, S.", "Lieberum, T.", "Nanda, N."], "2024", "Jump"),
            entry(["Rajamanoharan, S.", "Smith, L.", "Nanda, N."], "2024", "Third"),
        ]
    )
    assert found == [
        "Rajamanoharan et al., 2024a",
        "Ng, 2011",
        "Rajamanoharan et al., 2024b",
        "Rajamanoharan et al., 2024c",
    ]
    assert len(set(found)) == len(found)
