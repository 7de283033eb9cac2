#!/usr/bin/python3
"""mkxlsx.py OUTDIR - writes spreadsheets for the attachment tests, as a
generator would (python's zipfile):

  clean.xlsx        a workbook with one worksheet, no macros
  xlm.xlsm          plus an Excel 4.0 macro sheet (very hidden, named
                    Auto_Open) at xl/macrosheets/sheet1.xml, where Excel
                    writes it
  xlm-renamed.xlsx  the same macro sheet at xl/worksheets/sheet2.xml: only
                    its content type and relationship say "macrosheet"
"""
import sys, zipfile
out = sys.argv[1]
CT = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\"http://"
      "schemas.openxmlformats.org/package/2006/content-types\"><Default "
      "Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-"
      "package.relationships+xml\"/><Default Extension=\"xml\" ContentType="
      "\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument."
      "spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/"
      "sheet1.xml\" ContentType=\"application/vnd.openxmlformats-"
      "officedocument.spreadsheetml.worksheet+xml\"/>%s</Types>")
WS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
def rel(i, t, target):
    return ("<Relationship Id=\"rId%d\" Type=\"%s\" Target=\"%s\"/>" %
            (i, t, target))
def rels(body):
    return ("<?xml version=\"1.0\"?>\n<Relationships xmlns=\"http://"
            "schemas.openxmlformats.org/package/2006/relationships\">%s"
            "</Relationships>" % body)
SHEET = ("<?xml version=\"1.0\"?>\n<worksheet xmlns=\"http://schemas."
         "openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r="
         "\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Q3 figures</t></is>"
         "</c></row></sheetData></worksheet>")
MACRO = ("<?xml version=\"1.0\"?>\n<xm:macrosheet xmlns:xm=\"http://schemas"
         ".microsoft.com/office/excel/2006/main\"><sheetData><row r=\"1\">"
         "<c r=\"A1\"><f>EXEC(\"calc.exe\")</f></c><c r=\"A2\"><f>HALT()"
         "</f></c></row></sheetData></xm:macrosheet>")
def book(macro):
    sheets = "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/>"
    if macro:
        sheets += ("<sheet name=\"Auto_Open\" sheetId=\"2\" state="
                   "\"veryHidden\" r:id=\"rId2\"/>")
    return ("<?xml version=\"1.0\"?>\n<workbook xmlns=\"http://schemas."
            "openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"%s\">"
            "<sheets>%s</sheets></workbook>" % (WS, sheets))
def xlsx(name, macro_part):
    with zipfile.ZipFile(out + "/" + name, "w", zipfile.ZIP_DEFLATED) as z:
        over = ""
        wrels = rel(1, WS + "/worksheet", "worksheets/sheet1.xml")
        if macro_part:
            over = ("<Override PartName=\"/xl/%s\" ContentType=\"application"
                    "/vnd.ms-excel.macrosheet+xml\"/>" % macro_part)
            wrels += rel(2, MS, macro_part)
        z.writestr("[Content_Types].xml", CT % over)
        z.writestr("_rels/.rels", rels(rel(1, WS + "/officeDocument",
                                           "xl/workbook.xml")))
        z.writestr("xl/workbook.xml", book(macro_part))
        z.writestr("xl/_rels/workbook.xml.rels", rels(wrels))
        z.writestr("xl/worksheets/sheet1.xml", SHEET)
        if macro_part:
            z.writestr("xl/" + macro_part, MACRO)
xlsx("clean.xlsx", None)
xlsx("xlm.xlsm", "macrosheets/sheet1.xml")
xlsx("xlm-renamed.xlsx", "worksheets/sheet2.xml")
