"""Workbooks read with python-calamine (rezone_build.xlsx): round trip against openpyxl (writer and reader,
dev group) on random tables, a clear error on a broken file, and the real DREES APL workbook."""

from __future__ import annotations

import io

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rezone_build.ingest_apl import read_apl_workbook
from rezone_build.sources import SourceError
from rezone_build.xlsx import XlsxError, read_xlsx

cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    # openpyxl writes a string starting with "=" as a formula (no cached value): not a plain cell
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
    .filter(lambda t: t.strip() and not t.startswith("=")),
)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.lists(cell, max_size=6), max_size=8),
    st.text(alphabet="abcdéèAPL 0123456789-_", min_size=1, max_size=10).filter(str.strip),
)
def test_round_trip_through_openpyxl(tmp_path_factory, table, title):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in table:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    path.write_bytes(buf.getvalue())
    got = read_xlsx(path)[title]
    ref = openpyxl.load_workbook(path, read_only=True)[title]
    expected = [list(r) for r in ref.iter_rows(values_only=True)]
    for i, row in enumerate(expected):
        mine = got[i] if i < len(got) else []
        mine = mine + [None] * (len(row) - len(mine))
        for a, b in zip(mine, row, strict=False):
            assert a == b or (isinstance(a, float) and a == pytest.approx(b)), (i, a, b)
    # nothing beyond what openpyxl reads
    assert all(v is None for r in got[len(expected):] for v in r)


def test_not_an_xlsx(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(XlsxError, match="x.xlsx"):
        read_xlsx(p)
    with pytest.raises(SourceError, match="x.xlsx"):
        read_apl_workbook(p)


def test_workbook_without_apl_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Paramètres"
    p = tmp_path / "apl.xlsx"
    wb.save(p)
    with pytest.raises(SourceError, match="no 'APL <year>' sheet"):
        read_apl_workbook(p)


@pytest.mark.needs_sources
def test_real_apl_workbook(sources_dir):
    path = sources_dir / "apl/apl_generalistes_2022_2023.xlsx"
    sheets = read_xlsx(path)
    assert list(sheets) == ["Paramètres", "APL 2022", "APL 2023"]
    rows = sheets["APL 2023"]
    assert rows[8][:2] == ["Code commune INSEE", "Commune"]
    assert rows[10][:6] == ["01001", "L'Abergement-Clémenciat", 1.942, 1.881, 838.154, 832]
    table = read_apl_workbook(path)
    assert sorted(table) == ["2022", "2023"]
    assert table["2023"][0] == ["01001", 1.942, 1.881, 838.154, 832]
    assert len(table["2023"]) > 34_000
