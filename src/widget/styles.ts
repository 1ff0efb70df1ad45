/**
 * The widget's stylesheet. `:host` rules carry !important so a page's global reset
 * (`* { all: unset }`, its own !important rules) cannot undo them; inside the shadow root the
 * page's selectors do not reach. Sizes are em of `medium` (the reader's own text size), so a page
 * that changes its root font size changes nothing here, and 200% zoom reflows to one column.
 */
export const STYLES = `
:host{all:initial!important;display:block!important;box-sizing:border-box!important;max-width:40em!important;margin:0 0 1em!important;font:normal medium/1.55 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif!important;color:#1b1f24!important;text-align:start!important;-webkit-text-size-adjust:100%!important}
:host([hidden]){display:none!important}
*,*::before,*::after{box-sizing:border-box}
.w{border:1px solid #c9d0d8;border-radius:8px;background:#fff;padding:1em;overflow-wrap:anywhere}
p{margin:0 0 .6em}
.title{font-weight:700;font-size:1.1em}
fieldset{border:0;margin:0 0 .75em;padding:0;display:flex;flex-wrap:wrap;gap:.4em}
legend{padding:0;margin-bottom:.4em;font-weight:600}
.way{display:inline-flex;position:relative}
.way input{position:absolute;opacity:0;width:1px;height:1px}
.way label{display:inline-block;padding:.35em .8em;border:1px solid #c9d0d8;border-radius:999px;cursor:pointer;background:#f3f5f7}
.way input:checked+label{background:#0b5cad;border-color:#0b5cad;color:#fff}
.way input:focus-visible+label{outline:3px solid #ffbf47;outline-offset:1px}
[hidden]{display:none!important}
.field{margin:0 0 .9em}
.field label{display:block;font-weight:600}
.hint{color:#4a5360;font-size:.9em;margin:.1em 0 .3em}
.hint:empty,.err:empty{display:none}
.err{color:#a4161a;font-weight:600;margin:.2em 0}
.bad textarea,.bad input{border-color:#a4161a;border-width:2px}
textarea,input[type=text],input[type=url]{display:block;width:100%;font:inherit;font-size:max(1em,16px);color:inherit;background:#fff;border:1px solid #6b7480;border-radius:4px;padding:.45em .55em;margin:0}
textarea{min-height:7em;resize:vertical}
input.short{max-width:7em}
button{font:inherit;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:6px;padding:.55em 1.4em;cursor:pointer;min-height:2.75em}
button:hover{background:#08437f}
button.link{background:none;color:#0b5cad;padding:.3em 0;text-decoration:underline;min-height:0}
:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
textarea:focus-visible,input:focus-visible{outline:3px solid #ffbf47;outline-offset:0;box-shadow:inset 0 0 0 2px #1b1f24}
.out:empty{display:none}
.out{margin-top:1em}
.status{color:#4a5360}
.v{border-left:.35em solid;border-radius:4px;padding:.7em .9em;margin:0 0 .8em}
.v-ok{border-color:#0f6b3a;background:#e9f5ee}
.v-warn{border-color:#a4161a;background:#fff4e5}
.v-info{border-color:#0b5cad;background:#eef4fb}
.verdict{font-weight:700;font-size:1.15em}
.v p:last-child{margin-bottom:0}
.strong{font-weight:700}
.sms{margin:0 0 .8em;padding:.6em .8em;background:#f3f5f7;border-radius:4px;white-space:pre-wrap}
mark{background:#ffe08a;color:inherit;padding:0 .1em;border-radius:2px}
ol,ul{margin:0 0 .8em;padding-inline-start:1.4em}
li{margin:.25em 0}
.s-high{font-weight:600}
.contacts ul{list-style:none;padding:0}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
a{color:#0b5cad}
`;
