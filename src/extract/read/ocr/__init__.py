"""Scans → Document: the table grid from the ruling lines, then Tesseract cell by cell.

For images (PNG, JPEG, TIFF, also ``<img>`` tables of web pages) and PDF pages with no text layer.
A page is read in steps:

    prepare_page     Otsu threshold, and a laxer one for thin grey rulings; the page's tilt
                     measured on its long rulings (a least-squares fit) or, without rulings, as
                     the angle that makes the ink rows sharpest; turned level
    find_rulings     long horizontal and vertical runs of ink (a 1-D morphological opening)
    find_tables      rulings that touch and frame an area form a table: rows at the horizontal
                     rulings, columns wherever a vertical ruling crosses a whole row
    merge_cells      a base cell joins its neighbour where the ruling between them is missing
                     (a merged cell): one `Cell` (with its confidence) at every position it covers, as `Document` wants
    read_cells       every inked cell cropped without rulings or dust, cut into text lines, the
                     lines of all cells stacked into one montage and read by Tesseract (chi_sim)
                     in one run; cells that may hold a number are read again by a digit reader
                     (``eng`` with a digit whitelist) and, where the two disagree, twice more;
                     the value most readings agree on wins
    read_lines       the text around the tables (titles, prose) as `Line`s, in reading order

Every OCR'd cell carries its confidence (0–1: Tesseract's lowest word confidence, the best of
the readings that agree, cut below the flag threshold when no two readings agree). A cell with
no ink is blank, never a zero; a cell whose ink could not be read keeps what Tesseract gave
(possibly nothing) and a low confidence, so the flag `cell.low_confidence` can say so. Nothing
is invented: the template's identities are for the checks to flag misreads, not for the reader
to fix them; the reader knows no template.

External programs run without a shell and with timeouts: ``tesseract`` (Debian ``tesseract-ocr``
and ``tesseract-ocr-chi-sim``; ``eng`` comes with it) and, for PDF pages, ``pdftoppm``
(poppler-utils). Tesseract runs as a command rather than through pytesseract: one process per
montage, TSV output for boxes and confidences, and the timeout in our hands.
"""

from extract.read.ocr.reader import ocr_image_blocks, ocr_pdf_pages, read_image, read_scanned_pdf

__all__ = ["ocr_image_blocks", "ocr_pdf_pages", "read_image", "read_scanned_pdf"]
