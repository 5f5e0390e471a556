"""The figures units report in their annual reports (政府信息公开工作年度报告), read by
`connectors/annual_report/` and written as what `xxgk reconcile` compares (`toml.py`)."""
