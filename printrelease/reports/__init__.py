"""Print-usage reports: SQL aggregation streamed to tables, chart series and CSV, XLSX and PDF files."""
