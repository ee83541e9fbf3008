"""What the pages and the bulletin both present, without Streamlit: periods, text in both languages, county
views and sentences, Plotly figures and exports (CSV, XLSX, PNG)."""
