"""PDF → `Document`: pdfium finds the pages that hold tables, pdfplumber's table finder reads them.

Most pages of a report are prose, and a full pdfminer layout of a page costs ten times what pdfium
needs to extract its text. So, one page at a time, nothing of a page kept once it is read:

    open_pdf              pdfium document (empty password first); encrypted, corrupt → ReadError
    is_picture_page       a page that is a picture (a scan, a table pasted as a screenshot): read
                          by OCR (`extract.read.ocr`) once the text pages are read
    is_table_page         pdfium text: section titles, header labels or rows of numbers on the page?
    page_lines            running text of other pages, in reading order, as `Line`s
    page_geometry         chars and ruling edges of a table page (pdfium by default; or pdfplumber)
    find_ruled_tables     pdfplumber's `TableFinder` (lines strategy) over those edges
    cells_to_grid         cell bboxes → `Grid`, a merged cell being one `Cell` at every position it
                          covers; each char goes to the cell holding its centre; the lines of a
                          cell are joined without spaces in CJK (wrapped and vertical labels)
    words_to_grids        no rulings (borderless tables): rows from lines of numbers, columns from
                          their alignment, labels and headers placed by position
    join_continued_grids  a table cut by a page break becomes one `Grid`: a repeated header is
                          dropped and a merged label cut in two (（四）无 | 法提供) is joined again;
                          a lone row opening a page is kept as a grid only if it continues one

Doubled glyphs of fake-bold text are removed (`dedupe_chars`); glyphs of a vertical (Identity-V)
font, which pdfium measures before the text matrix, get their printed box (`vertical_box`). A
file that cannot be read raises `ReadError` with check ``pdf.encrypted``, ``pdf.corrupt``,
``pdf.no_text`` or ``pdf.cid_font``;
a file read in part gets a `Finding` with the same checks.
"""

from extract.read.pdf.reader import read_pdf

__all__ = ["read_pdf"]
