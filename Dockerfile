# Critical Minerals Atlas: self-hosted image. Build: docker build -t atlas .
# Run: docker run -p 8501:8501 atlas   -> http://localhost:8501 (health: /_stcore/health)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    BROWSER_PATH=/usr/bin/chromium
# chromium renders chart PNG/SVG exports (kaleido); curl serves the health check
RUN apt-get update -q && apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY app.py ./
COPY server.py ./
COPY .streamlit .streamlit
COPY pages pages
COPY ui ui
COPY geo geo
COPY data data
RUN useradd --create-home atlas && mkdir -p static && chown atlas static
USER atlas
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD curl -fsS http://localhost:8501/_stcore/health || exit 1
# the same command as `make serve`
CMD ["python", "-m", "ui.serve", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true"]
