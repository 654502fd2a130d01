// The pages' one stylesheet, in WeUI's look (WeChat's own design language), hand-written and served by
// us: no CDN is reachable from where this runs. Mobile first; touch targets at least 44 px (2.75rem).
// 关怀版: every size is in rem/em from the browser's own font size, and nothing locks text-size-adjust,
// so WeChat's font-size setting (up to its largest) scales every page, which then reflows, never scrolls
// sideways. Text colours are WeUI's, darkened to WCAG AA contrast.
export const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;background:#ededed;color:rgba(0,0,0,.9);font:1.0625rem/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Microsoft YaHei",sans-serif;padding-bottom:env(safe-area-inset-bottom)}
a{color:#3f5180}
.page{max-width:40rem;margin:0 auto;padding:0 0 2rem}
.hd{padding:1.25rem 1rem 0.5rem}
.hd h1{margin:0;font-size:1.375rem;font-weight:600}
.hd p{margin:0.375rem 0 0;color:rgba(0,0,0,.62);font-size:0.875rem}
.back{display:inline-flex;align-items:center;min-height:2.75rem;min-width:2.75rem;padding-right:0.5rem;text-decoration:none;font-size:1rem}
.cells-title{margin:1.25rem 1rem 0.5rem;color:rgba(0,0,0,.62);font-size:0.875rem}
.cells-tips{margin:0.5rem 1rem;color:rgba(0,0,0,.62);font-size:0.875rem}
.cells{background:#fff;margin:0;padding:0;list-style:none;border-top:.5px solid rgba(0,0,0,.1);border-bottom:.5px solid rgba(0,0,0,.1)}
.cell{display:flex;flex-wrap:wrap;align-items:center;gap:0.75rem;min-height:3.5rem;padding:0.625rem 1rem;position:relative}
.cell+.cell::before{content:"";position:absolute;left:1rem;right:0;top:0;border-top:.5px solid rgba(0,0,0,.1)}
.cell__bd{flex:1;min-width:0;word-break:break-all}
.cell__ft{color:rgba(0,0,0,.62);text-align:right;min-width:0;overflow-wrap:anywhere}
.cell__desc{display:block;color:rgba(0,0,0,.62);font-size:0.875rem}
a.cell{color:inherit;text-decoration:none}
a.cell .cell__ft::after{content:"";display:inline-block;width:0.5rem;height:0.5rem;border:solid rgba(0,0,0,.3);border-width:2px 2px 0 0;transform:rotate(45deg);margin-left:0.5rem;vertical-align:1px}
a.cell:active,button.cell:active{background:#ececec}
.status{display:inline-block;padding:2px 0.625rem;border-radius:0.75rem;font-size:0.875rem}
.status--on{background:#e6f7ee;color:#05703a}
.status--paused{background:#fff4e5;color:#8a4b00}
.status--off{background:#f2f2f2;color:rgba(0,0,0,.62)}
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,6rem),1fr));gap:1px;background:rgba(0,0,0,.08);margin:0.75rem 1rem;border-radius:0.5rem;overflow:hidden}
.summary div{background:#fff;padding:0.875rem 0.5rem;text-align:center}
.summary b{display:block;font-size:1.375rem;font-weight:600}
.summary span{font-size:0.8125rem;color:rgba(0,0,0,.62)}
.btn-area{margin:1.25rem 1rem;display:flex;flex-direction:column;gap:0.75rem}
.btn{display:block;width:100%;min-height:3rem;padding:0.625rem 1rem;border:0;border-radius:0.5rem;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer;background:#f2f2f2;color:#05703a}
.btn--primary{background:#067a3f;color:#fff}
.btn--warn{background:#f2f2f2;color:#b42323}
.btn--danger{background:#b42323;color:#fff}
.btn[disabled]{opacity:.4;cursor:not-allowed}
.btn--mini{display:inline-flex;align-items:center;justify-content:center;width:auto;min-height:2.75rem;padding:0.375rem 0.875rem;font-size:0.9375rem;font-weight:500}
.input,select.input{flex:1;min-width:0;min-height:2.75rem;border:0;background:transparent;font:inherit;color:inherit;padding:0}
select.input{text-align:right;text-align-last:right;appearance:none;-webkit-appearance:none;padding-right:1.25rem;background:url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='12' height='8'%3E%3Cpath d='M1 1l5 5 5-5' fill='none' stroke='%23999' stroke-width='2'/%3E%3C/svg%3E") right center no-repeat}
input[type=time].input{text-align:right}
.input:focus-visible,select:focus-visible,.btn:focus-visible,.switch:focus-visible,.chip:focus-visible,a:focus-visible{outline:0.1875rem solid #07c160;outline-offset:2px}
label.cell{cursor:pointer}
.switch{appearance:none;-webkit-appearance:none;position:relative;flex:none;width:3.25rem;height:2rem;border-radius:1rem;background:#e5e5e5;border:0;margin:0;cursor:pointer;transition:background .2s}
.switch::after{content:"";position:absolute;top:2px;left:2px;width:1.75rem;height:1.75rem;border-radius:50%;background:#fff;box-shadow:0 1px 0.1875rem rgba(0,0,0,.3);transition:transform .2s}
.switch:checked{background:#07c160}
.switch:checked::after{transform:translateX(1.25rem)}
.radio{appearance:none;-webkit-appearance:none;flex:none;width:1.375rem;height:1.375rem;border-radius:50%;border:1.5px solid rgba(0,0,0,.3);margin:0}
.radio:checked{border:0.4375rem solid #07c160}
.check{flex:none;width:1.375rem;height:1.375rem;accent-color:#07c160;margin:0}
.days{display:flex;flex-wrap:wrap;gap:0.5rem;padding:0.75rem 1rem;background:#fff;border:0;margin:0;min-width:0}
.day{position:relative}
.day input{position:absolute;opacity:0;inset:0;margin:0}
.day span{display:inline-flex;align-items:center;justify-content:center;min-width:3.5rem;min-height:2.75rem;border-radius:0.5rem;background:#f2f2f2;font-size:0.9375rem}
.day input:checked+span{background:#067a3f;color:#fff}
.day input:focus-visible+span{outline:0.1875rem solid #07c160;outline-offset:2px}
.chips{display:flex;flex-wrap:wrap;gap:0.5rem;padding:0.75rem 1rem;background:#fff}
.chip{min-height:2.75rem;min-width:4rem;padding:0.375rem 0.875rem;border:1px solid rgba(0,0,0,.15);border-radius:1.375rem;background:#fff;font:inherit;font-size:0.9375rem;cursor:pointer}
.chip:active{background:#ececec}
.entry-kind{display:inline-block;margin-left:0.375rem;padding:0 0.375rem;border-radius:0.25rem;background:#f2f2f2;color:rgba(0,0,0,.62);font-size:0.75rem;vertical-align:2px}
.empty{padding:2rem 1rem;text-align:center;color:rgba(0,0,0,.62);background:#fff}
.report{margin:0.5rem 1rem;padding:0.75rem;background:#fff;border-radius:0.5rem;font-size:0.875rem}
.report ul{margin:0.375rem 0 0;padding-left:1.25rem}
.file{flex:1;min-height:2.75rem;font-size:0.9375rem}
.toast{position:fixed;left:50%;top:40%;transform:translate(-50%,-50%);min-width:8.5rem;max-width:80%;padding:1rem 1.25rem;border-radius:0.75rem;background:rgba(17,17,17,.85);color:#fff;text-align:center;font-size:1rem;z-index:10}
.toast[hidden]{display:none}
.done{margin:2.5rem 1rem;text-align:center}
.done p{font-size:1.0625rem}
html{overflow-wrap:break-word}
img,svg,select,input,textarea{max-width:100%}
.cell--stack{align-items:flex-start}
.actions{display:flex;flex-wrap:wrap;gap:0.5rem;width:100%}
.mark{display:flex;flex-wrap:wrap;gap:0.5rem;align-items:center}
select.btn--mini{flex:none;background-color:#f2f2f2;border-radius:0.5rem;padding:0 1.5rem 0 0.75rem;text-align:left;text-align-last:left;background-position:right 0.5rem center}
.explain{margin:0.5rem 1rem;padding:0.75rem 1rem;background:#fff;border-radius:0.5rem;font-size:0.9375rem}
.explain dt{font-weight:600}
.explain dd{margin:0 0 0.5rem;color:rgba(0,0,0,.7)}
.view-toggle{margin:1.5rem 1rem;text-align:center}
.notfound{margin:3rem 1rem;text-align:center}
.notfound p{font-size:1.0625rem}
body.simple{font-size:1.375rem}
body.simple .hd h1{font-size:1.75rem}
body.simple .hd p,body.simple .cells-tips,body.simple .cell__desc,body.simple .cells-title{font-size:1.125rem}
body.simple .btn{min-height:3.5rem;font-size:1.375rem}
.big-status{margin:1rem;padding:1.25rem 1rem;background:#fff;border-radius:0.75rem;text-align:center}
.big-status b{display:block;font-size:1.75rem}
.simple-list{margin:0 1rem;padding:0;list-style:none;background:#fff;border-radius:0.75rem}
.simple-list li{padding:0.75rem 1rem;border-top:1px solid rgba(0,0,0,.08)}
.simple-list li:first-child{border-top:0}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
@media (prefers-color-scheme:dark){body{background:#111;color:rgba(255,255,255,.85)}.cells,.summary div,.days,.chips,.empty,.report,.chip,.explain,.big-status,.simple-list{background:#191919;color:inherit}.day span,.btn,.entry-kind{background:#2c2c2c}.btn--primary{background:#067a3f}.btn--danger{background:#b42323}.hd p,.cells-title,.cells-tips,.cell__desc,.cell__ft,.summary span{color:rgba(255,255,255,.5)}}
`;
