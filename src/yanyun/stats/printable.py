"""The forecast as one printable page (escaped, no scripts): the score, then the top places."""

from __future__ import annotations

import html
from datetime import datetime

from yanyun.core.clock import SHANGHAI
from yanyun.stats.schemas import ForecastRead


def report_html(fc: ForecastRead, *, city: str, generated_at: datetime) -> str:
    """A one-page printable report: the score first, then the top grids and cells."""
    s = fc.score

    def pct(v: float | None) -> str:
        return "–" if v is None else f"{v:.1%}"

    esc = html.escape
    sel = fc.selection
    served = "" if sel is None else (
        f'<p class="note">采用方法 served method: {esc(sel.label)}（近 {sel.days} 日回测命中率 '
        f"backtest hit rate {pct(sel.hit_rate)}，计数基线 vs counts {esc(sel.baseline)} "
        f"{pct(sel.baseline_hit_rate)}）</p>"
    )
    grid_rows = "".join(
        f"<tr><td>{g.rank}</td><td>{esc(g.grid_code)}</td><td>{g.risk_share:.1%}</td></tr>"
        for g in fc.grids[:15]
    )
    cell_rows = "".join(
        "<tr><td>{rank}</td><td>{lng:.5f}, {lat:.5f}</td><td>{risk:.3f}</td></tr>".format(
            rank=f["properties"]["rank"], lng=f["properties"]["centre_lng"],
            lat=f["properties"]["centre_lat"], risk=f["properties"]["risk"],
        )
        for f in fc.hotspots["features"][:15]
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>明日警情热点预测 Next-day hotspot forecast {fc.day}</title>
<style>
body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#1a2430;
 max-width:900px}}
h1{{font-size:20px;margin:0 0 4px}} .sub{{color:#5a6878;font-size:12px;margin-bottom:16px}}
.score{{display:flex;gap:24px;border:1px solid #cfd8e3;padding:12px;
 border-radius:6px}}
.score b{{display:block;font-size:22px}} table{{border-collapse:collapse;width:100%;margin-top:8px}}
td,th{{border-bottom:1px solid #e3e8ef;padding:4px 8px;text-align:left;font-size:13px}}
.cols{{display:flex;gap:24px}} .cols>div{{flex:1}} .note{{font-size:11px;color:#5a6878}}
</style></head><body>
<h1>明日警情热点预测 · Next-day hotspot forecast</h1>
<div class="sub">{esc(city)} · 预测日 forecast day {fc.day} · 方法 method {esc(fc.method)}
 {esc(", ".join(f"{k}={v}" for k, v in fc.params.items()))} · 类别 category
 {esc(fc.category or "全部 all")} · 网格单元 cells {fc.cell_m:g} m · 生成 generated
 {generated_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}</div>
<div class="score">
 <div>昨日命中率 Yesterday's hit rate<b>{pct(s.yesterday_hit_rate)}</b>
  {s.yesterday_hits}/{s.yesterday_incidents}</div>
 <div>近{s.days}日命中率 Last {s.days} days<b>{pct(s.hit_rate)}</b>
  95% CI {pct(s.hit_rate_low)}–{pct(s.hit_rate_high)}</div>
 <div>预测效率指数 PAI<b>{"–" if s.pai is None else f"{s.pai:.1f}"}</b>
  覆盖 coverage {fc.coverage:.0%}</div>
</div>
{served}
<p class="note">命中率 = 次日警情落在预测前{fc.coverage:.0%}单元内的比例（逐日汇总）。
 Hit rate = share of the next day's incidents inside the top {fc.coverage:.0%} of
 {fc.area_cells} cells, hits pooled over days; incidents outside the area count as misses.</p>
<div class="cols"><div><h2>风险最高网格 Riskiest grids</h2><table>
<tr><th>#</th><th>网格 grid</th><th>风险占比 share of risk</th></tr>{grid_rows}</table></div>
<div><h2>热点单元 Hotspot cells</h2><table>
<tr><th>#</th><th>中心 centre (lng, lat)</th><th>风险 risk</th></tr>{cell_rows}</table></div></div>
</body></html>"""
