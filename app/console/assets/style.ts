// The console's stylesheet: a top bar with the navigation, tables that scroll on a phone, cards for charts.
export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 -apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;color:#1f2329;background:#f2f3f5}
a{color:#1664ff;text-decoration:none}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:8px 16px;background:#1d2b4a;color:#fff}
.top .brand{color:#fff;font-weight:600;white-space:nowrap}
.top nav{display:flex;flex-wrap:wrap;gap:4px;flex:1}
.top nav a{color:#cfd6e6;padding:4px 10px;border-radius:4px}
.top nav a.on,.top nav a:hover{background:#2f4170;color:#fff}
.who{display:flex;align-items:center;gap:8px;margin:0}
.who .role{font-size:12px;background:#2f4170;padding:1px 6px;border-radius:3px}
.who button{background:transparent;color:#cfd6e6;border:1px solid #56648a;padding:2px 10px}
main{padding:16px;max-width:1280px;margin:0 auto}
h1{font-size:20px;margin:4px 0 16px}
h2{font-size:16px;margin:20px 0 8px}
.flash{padding:8px 12px;border-radius:4px;margin:0 0 12px}
.flash.ok{background:#e8f7ee;color:#1a7f3c}
.flash.err{background:#fdecea;color:#b42318}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin-bottom:16px}
.tile,.card,.panel{background:#fff;border-radius:6px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.tile b{display:block;font-size:22px}
.tile span{color:#646a73;font-size:12px}
.panel h2{margin-top:0}
.chart{position:relative;height:260px}
.tabs a{display:inline-block;padding:4px 12px;border:1px solid #d0d3d6;border-radius:4px;margin-right:6px;background:#fff}
.tabs a.on{background:#1664ff;color:#fff;border-color:#1664ff}
.scroll{overflow-x:auto;background:#fff;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
table{border-collapse:collapse;width:100%;min-width:640px}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #eef0f2;vertical-align:top}
th{background:#f7f8fa;font-weight:600;white-space:nowrap}
tr.overdue td{background:#fdecea}
tr.due_soon td{background:#fff4e5}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;background:#eef0f2}
.badge.overdue{background:#b42318;color:#fff}
.badge.due_soon{background:#f79009;color:#fff}
.badge.handled{background:#1a7f3c;color:#fff}
.badge.burst{background:#7a5af8;color:#fff}
form.inline{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0}
input,select,button{font:inherit;padding:5px 8px;border:1px solid #d0d3d6;border-radius:4px;background:#fff}
button{background:#1664ff;color:#fff;border-color:#1664ff;cursor:pointer}
button.danger{background:#b42318;border-color:#b42318}
button.plain{background:#fff;color:#1f2329;border-color:#d0d3d6}
.muted{color:#646a73}
dl.card{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px}
dl.card dt{color:#646a73}
dl.card dd{margin:0}
body.signin{display:flex;align-items:center;justify-content:center;min-height:100vh;background:#1d2b4a}
body.signin .card{width:min(360px,92vw);display:flex;flex-direction:column;gap:10px}
body.signin label{display:flex;flex-direction:column;gap:4px;color:#646a73}
body.signin h1{font-size:18px;margin:0}
body.signin h2{font-size:15px;margin:0;color:#646a73}
@media (max-width:640px){.grid{grid-template-columns:1fr}main{padding:10px}.top nav{order:3;flex:1 1 100%;overflow-x:auto;flex-wrap:nowrap}.top nav a{white-space:nowrap}}
`;
