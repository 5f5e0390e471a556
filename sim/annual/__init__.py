"""The Longyan units' annual reports on disclosure for 2012, published as catalog documents
with a DOCX and a PDF attachment (docs/sim.md, "Annual reports"): `reports` (which units,
the documents), `content` (what each says, from the ground truth), `writer` (the DOCX and PDF
files), `serve` (the detail page's attachments and their answers)."""
