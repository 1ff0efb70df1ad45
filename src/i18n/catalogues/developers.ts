/**
 * The words of /developers, the guide for lenders' engineers (merged into the site catalogue in
 * ../messages.ts). Text between backticks is shown as code.
 */
export const developersZh = {
  'site.footer.developers': '贷款机构技术接入指南',

  'dev.title': '技术接入指南：核实组件与 API',
  'dev.lead':
    '写给贷款机构的工程师：如何在自己的网站、微信 H5 页面和 App 里嵌入短信核实组件，以及如何用 API 同步借款人、借款和还款。',
  'dev.toc': '本页内容',

  'dev.widget.title': '嵌入短信核实组件',
  'dev.widget.lead':
    '借款人把收到的短信粘贴进来，组件当场告诉他是不是您真的发过：与核实页面同一套判断。只需一个 script 标签和一个自定义元素；组件在 Shadow DOM 里，不受您页面样式影响。',
  'dev.widget.website': '网站',
  'dev.widget.website.body':
    '把下面两行放进页面。`lender` 是您的机构代码（演示机构为 `demo`），`lang` 为 `zh-CN` 或 `en`。',
  'dev.widget.wechat': '微信 H5 页面',
  'dev.widget.wechat.body':
    '在您的 H5 页面里放同样两行即可，微信内置浏览器和普通手机浏览器一样运行它。页面所在的来源（例如 `https://h5.lender.cn`）必须登记为组件来源，见下文。',
  'dev.widget.app': 'App 内的 WebView',
  'dev.widget.app.body':
    '在 WebView 里打开一个放了组件的 H5 页面，并开启 JavaScript。页面要从已登记的 https 来源加载：本地文件（`file://`）或自定义协议的页面没有可登记的来源，组件会拒绝工作。',
  'dev.widget.origins': '登记组件来源',
  'dev.widget.origins.body':
    '组件只在您登记过的来源（协议 + 域名 + 端口，不含路径，逐字比对）上工作；在其他网站上，它只显示一段拒绝说明和您的官方客服电话。请真信的运营人员用 `lender set` 命令登记，改动立即生效，不需要重启：',
  'dev.widget.csp':
    '如果您的页面设置了 Content-Security-Policy，请在 `script-src` 和 `connect-src` 中加入 `{origin}`（用 iframe 时则在 `frame-src` 中加入）。',
  'dev.widget.iframe': '也可以用 iframe',
  'dev.widget.iframe.body':
    '`/embed/verify?lender=<机构代码>` 是同一个核实功能的独立页面，只允许被您登记过的来源嵌入（它的 `frame-ancestors` 恰好列出这些来源）。',
  'dev.widget.iframe.height':
    '页面高度会随内容变化。框内页面会向父页面发送 `{ "type": "zhenxin:height", "height": <像素> }`。使用之前，请先确认 `event.origin` 正是真信的来源 `{origin}`，再据此调整 iframe 的高度：',
  'dev.widget.event': '统计核实结果',
  'dev.widget.event.body':
    '每次核实后，组件会发出 `zhenxin-verdict` 事件（会冒泡，可穿出 Shadow DOM），`event.detail` 为 `{ verdict, risk, indicators }`：结论（`genuine`、`not_sent`、`expired`）、风险（`none` 到 `high`）和识别出的诈骗迹象代码列表。它只带这三项，不带借款人粘贴的短信内容，可以直接用于您的统计：',
  'dev.widget.event.comment': '换成您自己的统计代码',

  'dev.api.title': 'API',
  'dev.api.lead':
    '所有接口收发 JSON。金额一律是以最小货币单位（人民币为“分”）表示的整数；日期写作 `YYYY-MM-DD`，按您的时区；时刻为带时区的 ISO-8601；利率为十进制字符串。未知字段会被拒绝，而不是被忽略。',
  'dev.api.keys': 'API 密钥',
  'dev.api.keys.body':
    '密钥由真信的运营人员为您的机构生成，只显示一次。请把它当作密码保存在您的服务器上，不要放进网页或 App。每次请求带上 `Authorization: Bearer <密钥>`；一个密钥只能看到本机构的数据，其他机构的借款对它来说就是 404。',
  'dev.api.keys.comment': '由真信运营人员执行，密钥只打印这一次',
  'dev.api.verify': '核实一条短信（公开，无需密钥）',
  'dev.api.verify.body':
    '请求体里恰好给出 `text`（整条短信）、`link`（短链接）、`code`（查询码，需同时给 `phoneLast4`：收信手机号后四位）之一，可选 `lender`。说明文字的语言跟随 `Accept-Language`（默认 zh-CN，可选 en）。',
  'dev.api.lender': '机构的官方联系方式（公开）',
  'dev.api.borrowers': '借款人',
  'dev.api.borrowers.body':
    '手机号可以是任何常见写法，保存为 E.164；固定电话和无效号码返回 400，`field` 为 `phone`。借款人自己通过验证码换过的号码不会被您的同步改回，应答中会多出 `phoneNotApplied`。',
  'dev.api.loans': '借款与还款计划',
  'dev.api.loans.body': '`policy` 可按笔覆盖您的罚息规则。新建返回 201，更新返回 200。',
  'dev.api.repayments': '还款',
  'dev.api.repayments.body':
    '同一个 `idempotencyKey` 再次提交不会重复记账，返回第一次的应答并带 `Idempotent-Replayed: true` 头；超过应还金额返回 422 `overpayment`。',
  'dev.api.balance': '余额',
  'dev.api.balance.body': '不给 `asOf` 时按借款所在时区的今天计算。',
  'dev.api.requests': '展期与分期申请',
  'dev.api.requests.body': '`status` 可选 `pending`、`approved`、`rejected`、`withdrawn`。',
  'dev.api.effect': '提醒效果',
  'dev.api.effect.body':
    '按天（本机构时区）、阶段、模板版本（`template`）和实验版本（`variant`）统计：发送、送达、失败、打开链接、核实为真、回复、退订，以及送达后 1、3、7 天内的还款（一笔还款只算给它之前最近送达的那条提醒）。`comparison` 是当天因频次上限或免打扰时段未提醒的借款，用来对比提醒带来的差别（`lift7d`）。`from`、`to` 必填，最多 366 天。',

  'dev.receipts.title': '短信送达回执',
  'dev.receipts.body':
    '如果短信经您的服务商账号发出，请把送达回执推送到下面的地址。回执是幂等的：同一条回执重复推送不会重复计数。一个号码连续 3 次（可在机构设置中调整）送达失败后被标为无法送达，在重新验证前不再向它发送提醒。',
  'dev.receipts.twilio':
    'Twilio：把 `TWILIO_STATUS_CALLBACK_URL` 设为下面的地址（一字不差）。每条短信发出时都以它作为 StatusCallback，回执的 `X-Twilio-Signature` 也按它校验；签名不对的回执返回 403。',
  'dev.receipts.aliyun':
    '阿里云：在短信服务的回执设置中填写下面的地址，其中 `<ALIYUN_RECEIPT_SECRET>` 换成配置的密钥（阿里云的推送不带签名，地址里的密钥代替签名）。收到后应答 `{"code":0}`。',

  'dev.limits.title': '限额',
  'dev.limits.verify':
    '核实（`POST /api/v1/verify`，与核实页面共用）：每个客户端地址每分钟 {checks} 次，超过后返回 429，`Retry-After` 头给出需要等待的秒数。',
  'dev.limits.body': '请求体必须是 JSON（`Content-Type: application/json`，否则 415），不超过 {kb} KB（否则 413）。',
  'dev.limits.text': '粘贴的短信不超过 {chars} 个字符。',
  'dev.limits.lender': '机构 API 不按密钥计次。',

  'dev.errors.title': '错误',
  'dev.errors.body':
    '所有错误的格式都一样：`code` 供程序判断，`message` 供人阅读，`field` 指出是哪一项输入有问题（例如 `instalments[0].dueDate`）。输入有误一定是 4xx 并指明字段，不会是 500。',
  'dev.errors.status': '状态码',
  'dev.errors.meaning': '含义',
  'dev.errors.400': '输入有误；`field` 指出是哪一项，`code` 为 `invalid_request` 或 `invalid_json`',
  'dev.errors.401': '没有密钥，或密钥无效',
  'dev.errors.403': '浏览器从其他网站发起的修改请求（服务器之间的调用不受影响）',
  'dev.errors.404': '不存在，或不属于您的机构',
  'dev.errors.405': '该路径不支持这个方法；`Allow` 头列出支持的方法',
  'dev.errors.409': '还款计划不能替换：`restructured`、`currency_locked`、`schedule_below_repaid`',
  'dev.errors.413': '请求体太大',
  'dev.errors.415': '请求体不是 JSON',
  'dev.errors.422': '`unknown_borrower`（先创建借款人）或 `overpayment`（超过应还金额）',
  'dev.errors.429': '核实次数超限；按 `Retry-After` 等待',
  'dev.errors.500': '我们这边出错；`message` 里有可供查询的编号',

  'dev.reference.title': '完整接口说明',
  'dev.reference.body':
    '每个接口的请求、应答和错误都写在 OpenAPI 3.1 文档里。它由校验请求的同一套代码生成，可以直接导入 Postman、Swagger UI 或代码生成工具：',
  'dev.reference.link': 'OpenAPI 文档（JSON）',
};

export const developersEn: Record<keyof typeof developersZh, string> = {
  'site.footer.developers': 'Developer guide for lenders',

  'dev.title': 'Developer guide: the widget and the API',
  'dev.lead':
    'For lenders’ engineers: how to embed the message check in your website, a WeChat H5 page and your app, and how to keep borrowers, loans and repayments in step through the API.',
  'dev.toc': 'On this page',

  'dev.widget.title': 'Embed the message check',
  'dev.widget.lead':
    'Borrowers paste the text they received and the widget tells them, there and then, whether you really sent it: the same check as the verification page. One script tag and one custom element; it lives in a shadow DOM, so your page’s styles do not touch it.',
  'dev.widget.website': 'On a website',
  'dev.widget.website.body':
    'Put these two lines in the page. `lender` is your lender code (`demo` for the demo lender); `lang` is `zh-CN` or `en`.',
  'dev.widget.wechat': 'In a WeChat H5 page',
  'dev.widget.wechat.body':
    'Put the same two lines in your H5 page: WeChat’s built-in browser runs it like any mobile browser. The page’s origin (such as `https://h5.lender.cn`) must be registered as a widget origin, as below.',
  'dev.widget.app': 'In an app’s WebView',
  'dev.widget.app.body':
    'Open an H5 page holding the widget in a WebView with JavaScript enabled. Load it from a registered https origin: a local file (`file://`) or a custom-scheme page has no origin to register, and the widget refuses to work there.',
  'dev.widget.origins': 'Register your origins',
  'dev.widget.origins.body':
    'The widget works only on the origins you registered (scheme + host + port, no path, compared exactly); on any other site it shows a plain refusal with your official hotline. Ask the Zhenxin operator to register them with `lender set`; the change applies at once, without a restart:',
  'dev.widget.csp':
    'If your page sets a Content-Security-Policy, add `{origin}` to `script-src` and `connect-src` (or to `frame-src` for the iframe).',
  'dev.widget.iframe': 'Or use an iframe',
  'dev.widget.iframe.body':
    '`/embed/verify?lender=<lender code>` is the same check as a page of its own. Only your registered origins may frame it (its `frame-ancestors` lists exactly those).',
  'dev.widget.iframe.height':
    'Its height changes with its content. The framed page posts `{ "type": "zhenxin:height", "height": <px> }` to your page. Before using it, check that `event.origin` is exactly the Zhenxin origin, `{origin}`, then set the iframe’s height:',
  'dev.widget.event': 'Count the results',
  'dev.widget.event.body':
    'After each check the widget dispatches a `zhenxin-verdict` event (it bubbles and crosses the shadow DOM) whose `event.detail` is `{ verdict, risk, indicators }`: the verdict (`genuine`, `not_sent`, `expired`), the risk (`none` to `high`) and the ids of the scam signs found. It carries only these, never the text the borrower pasted, so you can send it to your analytics as it is:',
  'dev.widget.event.comment': 'your own analytics here',

  'dev.api.title': 'The API',
  'dev.api.lead':
    'Every endpoint takes and answers JSON. Amounts are integers in the currency’s minor unit (fen for CNY); dates are `YYYY-MM-DD` in your time zone; instants ISO-8601 with offset; rates decimal strings. Unknown fields are refused, not ignored.',
  'dev.api.keys': 'API keys',
  'dev.api.keys.body':
    'The Zhenxin operator makes a key for your lender; it is shown once. Keep it like a password, on your servers, never in a web page or an app. Send `Authorization: Bearer <key>` with every request; a key sees only its own lender, and another lender’s loan is a 404 to it.',
  'dev.api.keys.comment': 'run by the Zhenxin operator; the key is printed this once',
  'dev.api.verify': 'Check a message (public, no key)',
  'dev.api.verify.body':
    'Send exactly one of `text` (the whole message), `link` (its short link) or `code` (its reference code, with `phoneLast4`: the last four digits of the phone that got it), and optionally `lender`. Explanations follow `Accept-Language` (zh-CN by default, or en).',
  'dev.api.lender': 'A lender’s official contacts (public)',
  'dev.api.borrowers': 'Borrowers',
  'dev.api.borrowers.body':
    'The phone in any common written form, stored E.164; landlines and invalid numbers get 400 with `field` `phone`. A number the borrower changed themselves (verified by code) is never put back by your sync: the answer then adds `phoneNotApplied`.',
  'dev.api.loans': 'Loans and schedules',
  'dev.api.loans.body': '`policy` overrides your penalty rules for one loan. 201 when created, 200 when replaced.',
  'dev.api.repayments': 'Repayments',
  'dev.api.repayments.body':
    'The same `idempotencyKey` again records nothing new and returns the first answer, with the header `Idempotent-Replayed: true`; more than is owed gets 422 `overpayment`.',
  'dev.api.balance': 'Balances',
  'dev.api.balance.body': 'Without `asOf`, as of today in the loan’s time zone.',
  'dev.api.requests': 'Extension and instalment-plan requests',
  'dev.api.requests.body': '`status` is one of `pending`, `approved`, `rejected`, `withdrawn`.',
  'dev.api.effect': 'What your reminders achieved',
  'dev.api.effect.body':
    'Per day (your time zone), stage, template version (`template`) and experiment variant (`variant`): sent, delivered, failed, links opened, checked genuine, replies, opt-outs, and repayments within 1, 3 and 7 days of delivery (a repayment counts only for the latest reminder delivered before it). `comparison` holds the loans not reminded that day because of a cap or quiet hours, so the difference reminders make is measured (`lift7d`). `from` and `to` are required; at most 366 days.',

  'dev.receipts.title': 'SMS delivery receipts',
  'dev.receipts.body':
    'When texts go out through your own SMS provider account, point its delivery receipts at the addresses below. Receipts are idempotent: one pushed twice counts once. A number whose deliveries fail 3 times in a row (adjustable in the lender’s settings) is marked unreachable and gets no reminders until it is verified again.',
  'dev.receipts.twilio':
    'Twilio: set `TWILIO_STATUS_CALLBACK_URL` to exactly the address below. Every text is sent with it as its StatusCallback, and the receipts’ `X-Twilio-Signature` is checked against it; a receipt with a wrong signature gets 403.',
  'dev.receipts.aliyun':
    'Aliyun: enter the address below in the SMS service’s receipt settings, with `<ALIYUN_RECEIPT_SECRET>` replaced by the configured secret (Aliyun does not sign its pushes, so the secret in the path stands in for a signature). It is answered `{"code":0}`.',

  'dev.limits.title': 'Limits',
  'dev.limits.verify':
    'Checks (`POST /api/v1/verify`, shared with the verification page): {checks} a minute per client address, then 429 with a `Retry-After` header giving the seconds to wait.',
  'dev.limits.body': 'Bodies must be JSON (`Content-Type: application/json`, else 415) and at most {kb} KB (else 413).',
  'dev.limits.text': 'A pasted message is at most {chars} characters.',
  'dev.limits.lender': 'The lender API does not count calls per key.',

  'dev.errors.title': 'Errors',
  'dev.errors.body':
    'Every error has the same shape: `code` for programs, `message` for people, and `field` naming the input at fault (such as `instalments[0].dueDate`). Bad input is always a 4xx naming the field, never a 500.',
  'dev.errors.status': 'Status',
  'dev.errors.meaning': 'Meaning',
  'dev.errors.400': 'Bad input; `field` names it, `code` is `invalid_request` or `invalid_json`',
  'dev.errors.401': 'No key, or a key that is not valid',
  'dev.errors.403': 'A browser on another site tried to change data (server-to-server calls are not affected)',
  'dev.errors.404': 'Not there, or not your lender’s',
  'dev.errors.405': 'The path does not take this method; the `Allow` header lists those it takes',
  'dev.errors.409': 'The schedule cannot be replaced: `restructured`, `currency_locked`, `schedule_below_repaid`',
  'dev.errors.413': 'The body is too large',
  'dev.errors.415': 'The body is not JSON',
  'dev.errors.422': '`unknown_borrower` (send the borrower first) or `overpayment` (more than is owed)',
  'dev.errors.429': 'Too many checks; wait as `Retry-After` says',
  'dev.errors.500': 'Our fault; `message` carries a reference to quote',

  'dev.reference.title': 'Full reference',
  'dev.reference.body':
    'Every endpoint’s requests, answers and errors are in the OpenAPI 3.1 document. It is generated from the same code that validates the requests; load it into Postman, Swagger UI or a code generator:',
  'dev.reference.link': 'The OpenAPI document (JSON)',
};
