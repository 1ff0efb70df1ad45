import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LenderProfile } from '../../src/core/lender.ts';
import { formatMoney, formatShortDate } from '../../src/core/money-format.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { accountLoan } from '../../src/services/borrower-account.ts';
import { getBorrower, postRepayment, putBorrower, putLoan } from '../../src/services/lender-api.ts';
import {
  AXE_CONTEXT,
  DESKTOP,
  describeViolations,
  describeWithBrowser,
  newPage,
  PHONE,
  runAxe,
  screenshot,
} from '../support/browser.ts';
import { type DemoSite, startDemoSite } from '../support/demo-site.ts';
import { lenderProfile } from '../support/factories.ts';
import { pageProblems } from '../support/punctuation.ts';

// The borrower's journey after learning the reminder is genuine: the link → the genuine page →
// sign in by code → balance explained → change the phone number → the reminder decision names
// the new number. Phone width first; axe on every page; once more with JavaScript off. A second
// lender, whose loan was repaid, holds the same number: the change leaves it unticked and untold.

describeWithBrowser('borrower account in a browser', (browser) => {
  let site: DemoSite;
  let anxin: LenderProfile;

  beforeAll(async () => {
    site = await startDemoSite({ staff: [['reviewer@qinghe-xf.cn', 'reviewer password 1']] });
    const db = site.database.connection.db;
    anxin = await upsertLender(
      db,
      lenderProfile('anxin', { name: '安心小贷', nameEn: 'Anxin Microcredit' }),
      new Date().toISOString(),
    );
    for (const number of ['+8613800138005', '+8613800138006']) {
      const id = `AX-${number.slice(-3)}`;
      await putBorrower(db, anxin, { keyId: 'test', ip: null }, id, { name: '刘洋', phone: number });
      await putLoan(db, anxin, `${id}-L`, {
        borrower: id,
        currency: 'CNY',
        instalments: [{ dueDate: '2026-01-15', principal: 200000, interest: 2000 }],
      });
      await postRepayment(db, anxin, `${id}-L`, { amount: 202000, paidOn: '2026-01-15', idempotencyKey: id });
    }
  });
  afterAll(async () => {
    await site?.stop();
  });

  async function codeTextsTo(to: string): Promise<string[]> {
    const rows = await site.database.connection.db
      .selectFrom('dev_sms_outbox')
      .select('text')
      .where('to', '=', to)
      .execute();
    return rows.map((r) => r.text);
  }

  async function codeTexted(to: string, after: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const row = await site.database.connection.db
        .selectFrom('dev_sms_outbox')
        .select('text')
        .where('to', '=', to)
        .where('created_at', '>', after)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      const code = row && /验证码 (\d{6})|(\d{6}) is your code/.exec(row.text);
      if (code) return code[1] ?? code[2] ?? '';
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no code texted to ${to}`);
  }

  const expectAccessible = async (page: Parameters<typeof runAxe>[0]) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };

  const journeys = [
    ['phone', PHONE, '+8613800138005', '137 0013 7005', '137****7005'],
    ['desktop', DESKTOP, '+8613800138006', '+86 137-0013-7006', '137****7006'],
  ] as const;

  for (const [name, size, number, newNumber, newMasked] of journeys) {
    it(`link → genuine → sign in → balance → change phone → reminder decision (${name})`, async () => {
      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'zh-CN' });
      const fits = async () => {
        const wide = await page.evaluate((width) => {
          return [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest('.table-scroll'))
            .map((el) => `${el.tagName}.${el.className}`)
            .slice(0, 5);
        }, size.width);
        expect(wide, page.url()).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      };
      /** On the phone: no half-width mark by Chinese in what the reader sees. */
      const punctuated = async (locale: 'zh-CN' | 'en' = 'zh-CN') => {
        if (size === PHONE) expect(await pageProblems(page, locale)).toEqual([]);
      };
      const path = /https:\/\/qhxf\.cn(\/r\/[A-Za-z0-9_-]+)/.exec(site.texts.get(number) ?? '')?.[1] ?? '';
      await page.goto(`${site.url}${path}`);
      await expect(page.locator('h1').textContent()).resolves.toContain('青禾消费金融');
      await Promise.all([
        page.waitForURL('**/account/sign-in'),
        page.getByRole('link', { name: '登录查看欠款明细' }).click(),
      ]);

      // a landline first: the error beside the field, the typed value kept
      await page.getByLabel('手机号').fill('021 5555 0101');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '发送验证码' }).click()]);
      expect(await page.title()).toMatch(/^错误：/);
      expect(await page.getByLabel('手机号').inputValue()).toBe('021 5555 0101');
      await expectAccessible(page);
      await screenshot(page, `account-sign-in-error-${name}`);

      const asked = new Date().toISOString();
      await page.getByLabel('手机号').fill(number.replace('+86', ''));
      await Promise.all([
        page.waitForURL('**/account/sign-in?step=code'),
        page.getByRole('button', { name: '发送验证码' }).click(),
      ]);
      await expectAccessible(page);
      await screenshot(page, `account-code-${name}`);
      await page.getByLabel('6 位验证码').fill(await codeTexted(number, asked));
      await Promise.all([page.waitForURL(`${site.url}/account`), page.getByRole('button', { name: '登录' }).click()]);

      // what is owed, first
      await expect(page.locator('h1').textContent()).resolves.toBe('您的借款');
      const owed = await page.locator('.owed').first().textContent();
      expect(owed).toMatch(/¥[\d,]+\.\d\d/);
      await fits();
      await expectAccessible(page);
      await screenshot(page, `account-loans-${name}`);
      await punctuated();

      await Promise.all([
        page.waitForLoadState('load'),
        // the demo lender's loan (安心小贷's repaid one is listed after it)
        page.getByRole('link', { name: '查看明细和计算方法' }).first().click(),
      ]);
      await expect(page.locator('.formula-list li').first().textContent()).resolves.toMatch(/× 0\.05% × \d+ 天 = ¥/);
      expect(await page.locator('svg.chart rect.chart-bar').count()).toBe(4);
      // the projection table carries the chart's figures in text
      expect(
        await page
          .locator('#projection ~ table tbody tr, section[aria-labelledby="projection"] table tbody tr')
          .count(),
      ).toBe(4);
      await fits();
      await expectAccessible(page);
      await screenshot(page, `account-loan-${name}`);
      await punctuated();
      if (size === PHONE) {
        // The same loan in English: the penalty sentences, lists and amounts that must not wrap.
        const loanUrl = page.url();
        await page.goto(`${loanUrl}?lang=en`);
        expect(await page.getByText(/CNY \d/).count()).toBeGreaterThan(0);
        await punctuated('en');
        await screenshot(page, `account-loan-${name}-en`);
        await page.goto(`${site.url}/account`);
        await punctuated('en');
        await page.goto(`${loanUrl}?lang=zh-CN`);
      }

      // change the number (signed in moments ago, so no second code to the old number is needed)
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '手机号' }).click()]);
      // who gets the new number: the lender owed money ticked, the repaid one not, and why
      const qinghe = page.getByRole('checkbox', { name: '青禾消费金融' });
      const repaid = page.getByRole('checkbox', { name: '安心小贷' });
      expect(await qinghe.isChecked()).toBe(true);
      expect(await repaid.isChecked()).toBe(false);
      const owedHint = await qinghe.getAttribute('aria-describedby');
      expect(await page.locator(`#${owedHint}`).textContent()).toMatch(/^\s*1 笔借款，逾期 \d+ 天\s*$/);
      const repaidHint = await repaid.getAttribute('aria-describedby');
      expect(await page.locator(`#${repaidHint}`).textContent()).toMatch(/1 笔借款，都已还清\s*没有勾选：/);
      await page.getByLabel('新手机号').fill(newNumber);
      await fits();
      // the same rules at both widths: axe once (at phone width), the layout at each
      if (size === PHONE) await expectAccessible(page);
      await screenshot(page, `account-phone-choice-${name}`);
      const changeAsked = new Date().toISOString();
      await Promise.all([
        page.waitForURL('**/account/phone?step=code'),
        page.getByRole('button', { name: '发送验证码到新号码' }).click(),
      ]);
      // asked again with the code, as chosen
      expect(await qinghe.isChecked()).toBe(true);
      expect(await repaid.isChecked()).toBe(false);
      await expectAccessible(page);
      await screenshot(page, `account-phone-confirm-${name}`);
      await page
        .getByLabel('新号码收到的 6 位验证码')
        .fill(await codeTexted(`+86${newNumber.replace(/\D/g, '').slice(-11)}`, changeAsked));
      await Promise.all([
        page.waitForURL('**/account/phone?changed=1'),
        page.getByRole('button', { name: '确认换号' }).click(),
      ]);
      await expect(page.locator('.notice-ok').textContent()).resolves.toContain(newMasked);
      await expectAccessible(page);
      await screenshot(page, `account-phone-changed-${name}`);
      // the lender not chosen still has the old number, and nothing of the new one
      const untold = await getBorrower(site.database.connection.db, anxin, `AX-${number.slice(-3)}`);
      expect(untold.phone).toBe(number);

      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '提醒' }).click()]);
      await expect(page.locator('section[aria-labelledby="decision"]').textContent()).resolves.toContain(newMasked);
      expect(await page.locator('section[aria-labelledby="history"] blockquote').count()).toBeGreaterThanOrEqual(1);
      await fits();
      await expectAccessible(page);
      await screenshot(page, `account-reminders-${name}`);
      await punctuated();
      await context.close();
    });
  }

  /** Signs a browser page in by code (the texted code read from the dev outbox). */
  async function signInAs(page: Parameters<typeof runAxe>[0], number: string) {
    await page.goto(`${site.url}/account/sign-in`);
    const asked = new Date().toISOString();
    await page.getByLabel('手机号').fill(number.replace('+86', ''));
    await Promise.all([
      page.waitForURL('**/account/sign-in?step=code'),
      page.getByRole('button', { name: '发送验证码' }).click(),
    ]);
    await page.getByLabel('6 位验证码').fill(await codeTexted(number, asked));
    await Promise.all([page.waitForURL(`${site.url}/account`), page.getByRole('button', { name: '登录' }).click()]);
  }

  // Two steps of one journey (the second picks up the request the first sent): the borrower asks
  // for a plan on a phone; then staff approve it on a desktop and the borrower reads the new amounts.
  let borrowerPage: Awaited<ReturnType<typeof newPage>> | undefined;
  afterAll(async () => {
    await borrowerPage?.context.close();
  });

  it('asks for a 6-month plan: the monthly payment first, the reason limit, then the request shown beside the amounts (phone)', async () => {
    borrowerPage = await newPage(browser(), PHONE, { ...AXE_CONTEXT, locale: 'zh-CN' });
    const { page } = borrowerPage;
    await signInAs(page, '+8613800138004');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '查看明细和计算方法' }).click()]);
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: '还不上？申请延期或分期' }).click(),
    ]);
    await expectAccessible(page);
    await screenshot(page, 'relief-options-phone');
    expect(await pageProblems(page, 'zh-CN')).toEqual([]);
    await page.getByLabel('6 个月').check();
    await Promise.all([page.waitForLoadState('load'), page.locator('#plan ~ form button').click()]);
    expect(await page.locator('#preview tbody tr').count()).toBe(6);
    await expect(page.locator('#preview').textContent()).resolves.toMatch(/比今天还清多付/);
    // The preview leads with the monthly payment, before the total cost and the schedule.
    const leadText = (await page.locator('#preview .plan-lead').textContent()) ?? '';
    expect(leadText).toMatch(/^每月 ¥[\d,]+\.\d{2} × 6 期/);
    const monthly = /¥[\d,]+\.\d{2}/.exec(leadText)?.[0] ?? 'none';
    await expect(page.locator('#preview tbody tr').first().locator('td').last().textContent()).resolves.toContain(
      monthly,
    );
    const order = await page.evaluate(() => {
      const lead = document.querySelector('#preview .plan-lead');
      const table = document.querySelector('#preview table');
      return lead && table ? lead.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
    });
    expect(order).toBeTruthy();
    // The reason's limit is said before submitting, and counted as the borrower types.
    await expect(page.locator('#reasonText-hint').textContent()).resolves.toContain('最多 500 个字');
    await expect(page.locator('#reasonText-count').textContent()).resolves.toBe('还可以输入 500 个字');
    await page.getByLabel('补充说明（可选）').fill('下月 10 日发工资');
    await expect(page.locator('#reasonText-count').textContent()).resolves.toBe('还可以输入 490 个字');
    await page.getByLabel('补充说明（可选）').fill('');
    await expectAccessible(page);
    await screenshot(page, 'relief-preview-phone');
    expect(await pageProblems(page, 'zh-CN')).toEqual([]);
    // without a reason: refused beside the field, nothing sent
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '提交申请' }).click()]);
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('请选择发生了什么');
    await expectAccessible(page);
    await page.getByLabel('工资或收入推迟').check();
    await page.getByLabel('补充说明（可选）').fill('下月 10 日发工资');
    await Promise.all([
      page.waitForURL('**/relief?submitted=1'),
      page.getByRole('button', { name: '提交申请' }).click(),
    ]);
    await expect(page.locator('#status').locator('..').textContent()).resolves.toContain('分 6 期申请正在审核');
    await expectAccessible(page);
    await screenshot(page, 'relief-pending-phone');
    // The pending request shows where the amounts are: what happens next, that penalty interest
    // keeps accruing, and the way to withdraw; the loan page no longer offers to ask again.
    await page.goto(`${site.url}/account`);
    const pendingBanner = page.locator('.notice-pending');
    await expect(pendingBanner.textContent()).resolves.toContain('您的分 6 期申请正在审核');
    await expect(pendingBanner.textContent()).resolves.toContain('罚息仍按日计算');
    await expect(pendingBanner.getByRole('link', { name: '查看申请进度或撤回申请' }).count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'account-pending-phone');
    expect(await pageProblems(page, 'zh-CN')).toEqual([]);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '查看明细和计算方法' }).click()]);
    await expect(page.locator('.notice-pending').count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: '还不上？申请延期或分期' }).count()).resolves.toBe(0);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '提醒' }).click()]);
    await expect(page.locator('section[aria-labelledby="decision"]').textContent()).resolves.toContain('申请正在审核');
  });

  it('staff approve the plan; the account says nothing is due today and shows the next instalment (desktop, then phone)', async () => {
    if (!borrowerPage) throw new Error('the borrower step did not run');
    const { context, page } = borrowerPage;
    // staff, on a desktop: the queue oldest first, the case, approve
    const staff = await newPage(browser(), DESKTOP, { ...AXE_CONTEXT, locale: 'zh-CN' });
    await staff.page.goto(`${site.url}/staff/sign-in`);
    await staff.page.getByLabel('工作邮箱').fill('reviewer@qinghe-xf.cn');
    await staff.page.getByLabel('密码').fill('reviewer password 1');
    await Promise.all([
      staff.page.waitForURL(`${site.url}/staff`),
      staff.page.getByRole('button', { name: '登录' }).click(),
    ]);
    await Promise.all([
      staff.page.waitForLoadState('load'),
      staff.page.getByRole('link', { name: '申请审核' }).click(),
    ]);
    const queue = await staff.page.locator('ol.queue li').allTextContents();
    expect(queue[0]).toContain('L013'); // the demo's two-day-old request first
    expect(queue[0]).toContain('已等待 2 天');
    expect(queue.at(-1)).toContain('L004');
    expect(queue.at(-1)).toMatch(/刚刚提交|已等待 \d+ 分钟/);
    await expectAccessible(staff.page);
    await screenshot(staff.page, 'staff-queue-desktop');
    await Promise.all([staff.page.waitForLoadState('load'), staff.page.getByRole('link', { name: /L004/ }).click()]);
    await expect(staff.page.locator('h1').textContent()).resolves.toContain('分 6 期');
    // Asked and reviewed the same day: one schedule, marked as the one the borrower previewed.
    expect(await staff.page.locator('table.stack').count()).toBe(1);
    await expect(staff.page.getByRole('heading', { name: /与借款人提交时预览的相同/ }).count()).resolves.toBe(1);
    await Promise.all([
      staff.page.waitForLoadState('load'),
      staff.page.getByRole('button', { name: '提交决定' }).click(),
    ]);
    await expect(staff.page.locator('.error-summary').textContent()).resolves.toContain('请选择批准或拒绝');
    await expectAccessible(staff.page);
    await staff.page.getByLabel('批准').check();
    await Promise.all([
      staff.page.waitForURL('**/staff/requests?decided=1'),
      staff.page.getByRole('button', { name: '提交决定' }).click(),
    ]);
    await screenshot(staff.page, 'staff-decided-desktop');
    // the decision text goes out at once, and checks as genuine
    await expect
      .poll(async () => (await codeTextsTo('+8613800138004')).some((t) => t.includes('分期还款申请已通过')), {
        timeout: 5_000,
      })
      .toBe(true);
    await staff.context.close();

    // the borrower sees the decision and the new schedule: nothing is due today (the first
    // instalment is a month away), the next instalment with its date (and its year when that is
    // another year), the whole plan as the outstanding total, and the plan in force.
    await page.goto(`${site.url}/account`);
    const card = page.locator('.loan-card', { hasText: 'L004' });
    const cardText = (await card.textContent()) ?? '';
    expect(cardText).toContain('今天无需还款');
    expect(cardText).not.toContain('现在应还');
    expect(cardText).toContain('分期计划生效中：分 6 期');
    expect(cardText).toContain('剩余待还合计');
    const loanRow = await site.database.connection.db
      .selectFrom('loans')
      .select('id')
      .where('external_id', '=', 'L004')
      .executeTakeFirstOrThrow();
    const balance = await accountLoan(site.database.connection.db, '+8613800138004', loanRow.id);
    const next = balance.glance.next;
    if (!next) throw new Error('the plan has no next instalment');
    expect(balance.glance.dueNow).toBe(0);
    expect(cardText).toContain(
      `下一期 ${formatShortDate(next.dueDate, 'zh-CN', balance.balance.asOf)} 应还 ${formatMoney(next.amount, 'CNY', 'zh-CN')}`,
    );
    expect(cardText).toContain(formatMoney(balance.glance.outstanding, 'CNY', 'zh-CN'));
    await expectAccessible(page);
    await screenshot(page, 'account-after-plan-phone');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '查看明细和计算方法' }).click()]);
    expect(await page.locator('table.stack tbody tr').count()).toBe(6);
    await page.goto(page.url().replace(/\/?$/, '/relief'));
    await expect(page.locator('#status').locator('..').textContent()).resolves.toContain('申请已通过');
    await screenshot(page, 'relief-approved-phone');
    await context.close();
    borrowerPage = undefined;
  });

  it('signs in and reads the balance with JavaScript off (phone)', async () => {
    const { context, page } = await newPage(browser(), PHONE, { locale: 'zh-CN', javaScriptEnabled: false });
    await page.goto(`${site.url}/account`);
    expect(new URL(page.url()).pathname).toBe('/account/sign-in');
    const asked = new Date().toISOString();
    await page.getByLabel('手机号').fill('13800138007');
    await Promise.all([
      page.waitForURL('**/account/sign-in?step=code'),
      page.getByRole('button', { name: '发送验证码' }).click(),
    ]);
    await page.getByLabel('6 位验证码').fill(await codeTexted('+8613800138007', asked));
    await Promise.all([page.waitForURL(`${site.url}/account`), page.getByRole('button', { name: '登录' }).click()]);
    await expect(page.locator('h2').first().textContent()).resolves.toContain('L007');
    // The loan page: how to repay right under the amount due (before the instalment table), and
    // the projection's bars measured from zero (each bar's height in proportion to its total).
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: '查看明细和计算方法' }).first().click(),
    ]);
    const repayTop = (await page.locator('#repay').boundingBox())?.y ?? Number.POSITIVE_INFINITY;
    const tableTop = (await page.locator('#instalments').boundingBox())?.y ?? 0;
    expect(repayTop).toBeLessThan(tableTop);
    expect(repayTop).toBeLessThan(740);
    const bars = await page
      .locator('svg.chart rect.chart-bar')
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    const totals = await page
      .locator('section[aria-labelledby="projection"] table tbody tr td:nth-child(2)')
      .evaluateAll((cells) =>
        cells.map((c) => Number((c.textContent ?? '').replace(/[^\d.]/g, '').replace(/(\.\d\d).*$/, '$1'))),
      );
    expect(bars.length).toBe(totals.length);
    expect(bars.length).toBeGreaterThan(1);
    for (let i = 1; i < bars.length; i++) {
      expect((bars[i] as number) / (bars[0] as number)).toBeCloseTo((totals[i] as number) / (totals[0] as number), 2);
    }
    // An amount never wraps between its currency and its figures.
    expect(
      await page
        .locator('.money')
        .first()
        .evaluate((e) => getComputedStyle(e).whiteSpace),
    ).toBe('nowrap');
    await screenshot(page, 'loan-phone-js-off');
    await page.goto(`${site.url}/account`);
    await Promise.all([
      page.waitForURL('**/account/sign-in?signed-out'),
      page.getByRole('button', { name: '退出' }).click(),
    ]);
    await context.close();
  });
});
