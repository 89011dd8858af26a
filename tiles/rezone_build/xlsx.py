"""Cell values of an .xlsx workbook, read with python-calamine (Rust ``calamine``).

Measured on the DREES APL workbook (2 × 35 000 rows): 1.68 s with the regex reader this module used
to be, 0.32 s with calamine, 0 differing cells; openpyxl takes ~10 s and refuses the INSEE BV
workbook's styles. Values: ``str``, ``bool``, ``int`` for integral numbers (as the sheet XML writes
them), ``float`` otherwise; empty cells ``None``; rows keep their sheet index (row 1 is ``rows[0]``).
"""

from __future__ import annotations

from python_calamine import CalamineError, CalamineWorkbook

__all__ = ["XlsxError", "read_xlsx"]


class XlsxError(ValueError):
    pass


def _cell(v):
    if v == "":
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def read_xlsx(path) -> dict[str, list[list]]:
    """{sheet name: rows}; each row a list of cell values (index = column)."""
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}
    except (CalamineError, OSError) as exc:
        raise XlsxError(f"{path}: not a readable xlsx workbook ({exc})") from exc
    return {name: [[_cell(v) for v in row] for row in rows] for name, rows in sheets.items()}
