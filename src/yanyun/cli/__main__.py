from yanyun.cli.main import app

app()
