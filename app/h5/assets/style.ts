// The pages' one stylesheet, in WeUI's look (WeChat's own design language), hand-written and served by
// us: no CDN is reachable from where this runs. Mobile first; touch targets at least 48 px.
export const STYLE = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#ededed;color:rgba(0,0,0,.9);font:17px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Microsoft YaHei",sans-serif;padding-bottom:env(safe-area-inset-bottom)}
a{color:#576b95}
.page{max-width:640px;margin:0 auto;padding:0 0 32px}
.hd{padding:20px 16px 8px}
.hd h1{margin:0;font-size:22px;font-weight:600}
.hd p{margin:6px 0 0;color:rgba(0,0,0,.55);font-size:14px}
.back{display:inline-flex;align-items:center;min-height:44px;text-decoration:none;font-size:16px}
.cells-title{margin:20px 16px 8px;color:rgba(0,0,0,.55);font-size:14px}
.cells-tips{margin:8px 16px;color:rgba(0,0,0,.55);font-size:14px}
.cells{background:#fff;margin:0;padding:0;list-style:none;border-top:.5px solid rgba(0,0,0,.1);border-bottom:.5px solid rgba(0,0,0,.1)}
.cell{display:flex;align-items:center;gap:12px;min-height:56px;padding:10px 16px;position:relative}
.cell+.cell::before{content:"";position:absolute;left:16px;right:0;top:0;border-top:.5px solid rgba(0,0,0,.1)}
.cell__bd{flex:1;min-width:0;word-break:break-all}
.cell__ft{color:rgba(0,0,0,.55);text-align:right}
.cell__desc{display:block;color:rgba(0,0,0,.55);font-size:14px}
a.cell{color:inherit;text-decoration:none}
a.cell .cell__ft::after{content:"";display:inline-block;width:8px;height:8px;border:solid rgba(0,0,0,.3);border-width:2px 2px 0 0;transform:rotate(45deg);margin-left:8px;vertical-align:1px}
a.cell:active,button.cell:active{background:#ececec}
.status{display:inline-block;padding:2px 10px;border-radius:12px;font-size:14px}
.status--on{background:#e6f7ee;color:#06ae56}
.status--paused{background:#fff4e5;color:#fa9d3b}
.status--off{background:#f2f2f2;color:rgba(0,0,0,.55)}
.summary{display:grid;grid-template-columns:repeat(3,1fr);gap:1px;background:rgba(0,0,0,.08);margin:12px 16px;border-radius:8px;overflow:hidden}
.summary div{background:#fff;padding:14px 8px;text-align:center}
.summary b{display:block;font-size:22px;font-weight:600}
.summary span{font-size:13px;color:rgba(0,0,0,.55)}
.btn-area{margin:20px 16px;display:flex;flex-direction:column;gap:12px}
.btn{display:block;width:100%;min-height:48px;padding:10px 16px;border:0;border-radius:8px;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer;background:#f2f2f2;color:#06ae56}
.btn--primary{background:#07c160;color:#fff}
.btn--warn{background:#f2f2f2;color:#fa5151}
.btn--danger{background:#fa5151;color:#fff}
.btn[disabled]{opacity:.4;cursor:not-allowed}
.btn--mini{display:inline-block;width:auto;min-height:36px;padding:6px 14px;font-size:15px;font-weight:500}
.input,select.input{flex:1;min-width:0;min-height:44px;border:0;background:transparent;font:inherit;color:inherit;padding:0}
select.input{text-align:right;text-align-last:right;appearance:none;-webkit-appearance:none;padding-right:20px;background:url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='12' height='8'%3E%3Cpath d='M1 1l5 5 5-5' fill='none' stroke='%23999' stroke-width='2'/%3E%3C/svg%3E") right center no-repeat}
input[type=time].input{text-align:right}
.input:focus-visible,select:focus-visible,.btn:focus-visible,.switch:focus-visible,.chip:focus-visible,a:focus-visible{outline:3px solid #07c160;outline-offset:2px}
label.cell{cursor:pointer}
.switch{appearance:none;-webkit-appearance:none;position:relative;flex:none;width:52px;height:32px;border-radius:16px;background:#e5e5e5;border:0;margin:0;cursor:pointer;transition:background .2s}
.switch::after{content:"";position:absolute;top:2px;left:2px;width:28px;height:28px;border-radius:50%;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.3);transition:transform .2s}
.switch:checked{background:#07c160}
.switch:checked::after{transform:translateX(20px)}
.radio{appearance:none;-webkit-appearance:none;flex:none;width:22px;height:22px;border-radius:50%;border:1.5px solid rgba(0,0,0,.3);margin:0}
.radio:checked{border:7px solid #07c160}
.check{flex:none;width:22px;height:22px;accent-color:#07c160;margin:0}
.days{display:flex;flex-wrap:wrap;gap:8px;padding:12px 16px;background:#fff;border:0;margin:0;min-width:0}
.day{position:relative}
.day input{position:absolute;opacity:0;inset:0;margin:0}
.day span{display:inline-flex;align-items:center;justify-content:center;min-width:56px;min-height:44px;border-radius:8px;background:#f2f2f2;font-size:15px}
.day input:checked+span{background:#07c160;color:#fff}
.day input:focus-visible+span{outline:3px solid #07c160;outline-offset:2px}
.chips{display:flex;flex-wrap:wrap;gap:8px;padding:12px 16px;background:#fff}
.chip{min-height:44px;min-width:64px;padding:6px 14px;border:1px solid rgba(0,0,0,.15);border-radius:22px;background:#fff;font:inherit;font-size:15px;cursor:pointer}
.chip:active{background:#ececec}
.entry-kind{display:inline-block;margin-left:6px;padding:0 6px;border-radius:4px;background:#f2f2f2;color:rgba(0,0,0,.55);font-size:12px;vertical-align:2px}
.empty{padding:32px 16px;text-align:center;color:rgba(0,0,0,.45);background:#fff}
.report{margin:8px 16px;padding:12px;background:#fff;border-radius:8px;font-size:14px}
.report ul{margin:6px 0 0;padding-left:20px}
.file{flex:1;min-height:44px;font-size:15px}
.toast{position:fixed;left:50%;top:40%;transform:translate(-50%,-50%);min-width:136px;max-width:80%;padding:16px 20px;border-radius:12px;background:rgba(17,17,17,.85);color:#fff;text-align:center;font-size:16px;z-index:10}
.toast[hidden]{display:none}
.done{margin:40px 16px;text-align:center}
.done p{font-size:17px}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
@media (prefers-color-scheme:dark){body{background:#111;color:rgba(255,255,255,.85)}.cells,.summary div,.days,.chips,.empty,.report,.chip{background:#191919;color:inherit}.day span,.btn,.entry-kind{background:#2c2c2c}.btn--primary{background:#07c160}.btn--danger{background:#fa5151}.hd p,.cells-title,.cells-tips,.cell__desc,.cell__ft,.summary span{color:rgba(255,255,255,.5)}}
`;
