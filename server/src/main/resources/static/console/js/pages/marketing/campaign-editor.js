// The campaign definition form (docs/campaigns.md): trigger, audience, goal, contact policy and
// steps — send, the cascade as a step of its own, wait, branch, exit. Controls are named by the
// JSON path of what they edit ("$.steps[0].channels[1].within"), as the server reports problems.
import { h } from '../../ui.js';
import { t } from '../../i18n.js';
import { ctl, input, select, parseValue, showValue } from './util.js';
import { RuleEditor } from './rule-editor.js';
import { CHANNELS } from './templates.js';

const TRIGGERS = ['event', 'segment_entered', 'broadcast', 'schedule'];
const STEP_TYPES = ['send', 'cascade', 'wait', 'branch', 'exit'];
const UNTIL = ['sent', 'delivered', 'opened', 'clicked'];

function put(obj, key, value) {
  if (value === '' || value === undefined || value === null) delete obj[key]; else obj[key] = value;
}

/** The email → Viber → SMS cascade of the issue, with the templates of each channel if there are any. */
export function cascadePreset(templates) {
  const first = ch => (templates.find(x => x.channel === ch) || {}).id || '';
  return { type: 'cascade', channels: [
    { channel: 'email', template: first('email'), until: 'opened', within: '2h' },
    { channel: 'viber', template: first('viber'), until: 'delivered', within: '30m' },
    { channel: 'sms', template: first('sms') }] };
}

/**
 * new CampaignForm({def, segments, templates, readOnly, onChange}); form.el; form.def is the
 * definition being edited (without the id); form.setDef(d) shows another one.
 */
export class CampaignForm {
  constructor(opts) {
    this.opts = opts;
    this.def = opts.def;
    this.el = h('div', { class: 'campaign-form', 'data-test': 'campaign-form' });
    this.render();
  }

  setDef(def) { this.def = def; this.render(); }

  render() {
    const focused = document.activeElement && this.el.contains(document.activeElement) ? document.activeElement.getAttribute('name') : null;
    this.el.replaceChildren(
      h('div', { class: 'row' }, this.basics(), this.trigger()),
      h('div', { class: 'row' }, this.goal(), this.policy()),
      this.steps());
    if (this.opts.readOnly) this.el.querySelectorAll('input, select, button, textarea').forEach(e => { e.disabled = true; });
    if (focused) { const f = this.el.querySelector(`[name="${CSS.escape(focused)}"]`); if (f) f.focus(); }
  }

  changed(structural) {
    if (structural) this.render();
    this.opts.onChange();
  }

  text(obj, key, name, label, attrs = {}) {
    return ctl(input(name, obj[key] ?? '', Object.assign({ oninput: e => { put(obj, key, e.target.value.trim()); this.changed(false); } }, attrs)), label);
  }

  segmentOptions(withNone) {
    return [...(withNone ? [['', t('campaigns.noAudience')]] : []), ...this.opts.segments.map(s => [s.id, s.name])];
  }

  templateSelect(obj, name, channel) {
    const own = this.opts.templates.filter(x => !channel || x.channel === channel);
    const options = [['', t('campaigns.chooseTemplate')], ...own.map(x => [x.id, x.name ? `${x.name} (${x.id})` : x.id])];
    if (obj.template && !own.some(x => x.id === obj.template)) options.push([obj.template, obj.template]);
    return ctl(select(name, obj.template || '', options, { onchange: e => { put(obj, 'template', e.target.value); this.changed(false); } }), t('campaigns.template'));
  }

  channelInput(obj, name, structural) {
    return ctl(select(name, obj.channel || '', [...new Set([...CHANNELS, obj.channel].filter(Boolean))].map(c => [c, t('channel.' + c)]), {
      onchange: e => { obj.channel = e.target.value; this.changed(structural); } }), t('campaigns.channel'));
  }

  basics() {
    const d = this.def;
    return h('section', { class: 'panel' }, h('h2', null, t('campaigns.basics')),
      h('div', { class: 'fields' },
        this.text(d, 'name', '$.name', t('campaigns.name'), { class: 'wide' }),
        ctl(select('$.purpose', d.purpose || 'marketing', [['marketing', t('campaigns.purpose.marketing')], ['transactional', t('campaigns.purpose.transactional')]], {
          onchange: e => { d.purpose = e.target.value; this.changed(false); } }), t('campaigns.purpose'))),
      h('p', { class: 'muted small' }, t('campaigns.purposeHint')));
  }

  trigger() {
    const d = this.def;
    const tr = d.trigger || (d.trigger = { type: 'segment_entered' });
    const typeSelect = select('$.trigger.type', tr.type, TRIGGERS.map(x => [x, t('campaigns.trigger.' + x)]), {
      onchange: e => {
        const type = e.target.value;
        d.trigger = { type };
        if (type === 'segment_entered' && this.opts.segments.length) d.trigger.segment = this.opts.segments[0].id;
        if (type === 'schedule') { d.trigger.at = new Date(Date.now() + 86400000).toISOString().slice(0, 11) + '10:00'; d.trigger.timeZone = 'Europe/Kyiv'; }
        this.changed(true);
      } });
    let specific = null;
    if (tr.type === 'event') {
      const where = tr.where ? Object.entries(tr.where).map(([k, v]) => k + '=' + showValue(v)).join(', ') : '';
      specific = [this.text(tr, 'event', '$.trigger.event', t('campaigns.eventName'), { placeholder: 'order_status_changed' }),
        ctl(input('$.trigger.where', where, { placeholder: 'status=ready', oninput: e => {
          const w = {};
          e.target.value.split(',').map(s => s.trim()).filter(Boolean).forEach(pair => { const i = pair.indexOf('='); if (i > 0) w[pair.slice(0, i).trim()] = parseValue(pair.slice(i + 1)); });
          put(tr, 'where', Object.keys(w).length ? w : undefined); this.changed(false);
        } }), t('campaigns.where'))];
    } else if (tr.type === 'segment_entered') {
      specific = ctl(select('$.trigger.segment', tr.segment ?? '', this.segmentOptions(false), {
        onchange: e => { tr.segment = Number(e.target.value); this.changed(false); } }), t('campaigns.segment'));
    } else if (tr.type === 'schedule') {
      specific = [ctl(input('$.trigger.at', tr.at || '', { type: 'datetime-local', oninput: e => { put(tr, 'at', e.target.value); this.changed(false); } }), t('campaigns.at')),
        this.text(tr, 'timeZone', '$.trigger.timeZone', t('campaigns.timeZone'), { placeholder: 'Europe/Kyiv' }),
        this.text(tr, 'every', '$.trigger.every', t('campaigns.every'), { placeholder: '7d', class: 'short' })];
    } else if (tr.type === 'broadcast') {
      specific = h('span', { class: 'muted small' }, t('campaigns.broadcastHint'));
    }
    const audience = ctl(select('$.audience', d.audience ? d.audience.segment : '', this.segmentOptions(true), {
      onchange: e => { put(d, 'audience', e.target.value ? { segment: Number(e.target.value) } : undefined); this.changed(false); } }), t('campaigns.audience'));
    const reentry = h('label', { class: 'check' }, h('input', { type: 'checkbox', name: '$.reentry', 'data-test': '$.reentry', checked: !!d.reentry,
      onchange: e => { put(d, 'reentry', e.target.checked || undefined); this.changed(false); } }), ' ', t('campaigns.reentry'));
    return h('section', { class: 'panel' }, h('h2', null, t('campaigns.triggerTitle')),
      h('div', { class: 'fields' }, ctl(typeSelect, t('campaigns.triggerType')), specific),
      h('div', { class: 'fields' }, audience, reentry),
      h('span', { class: 'field-error', 'data-error-for': '$.reentry' }));
  }

  goal() {
    const d = this.def;
    const g = d.goal || {};
    const update = () => { put(d, 'goal', g.event ? g : undefined); this.changed(false); };
    return h('section', { class: 'panel' }, h('h2', null, t('campaigns.goal')),
      h('div', { class: 'fields' },
        ctl(input('$.goal.event', g.event || '', { placeholder: 'order_completed', oninput: e => { put(g, 'event', e.target.value.trim()); update(); } }), t('campaigns.goalEvent')),
        ctl(input('$.goal.within', g.within || '', { placeholder: '7d', class: 'short', oninput: e => { put(g, 'within', e.target.value.trim()); update(); } }), t('campaigns.goalWithin'))),
      h('p', { class: 'muted small' }, t('campaigns.goalHint')));
  }

  policy() {
    const d = this.def;
    const p = d.policy || {};
    const q = p.quietHours || {};
    const caps = p.caps || {};
    const store = () => {
      if (q.from || q.to) p.quietHours = q; else delete p.quietHours;
      if (Object.keys(caps).length) p.caps = caps; else delete p.caps;
      put(d, 'policy', Object.keys(p).length ? p : undefined);
    };
    const capRows = Object.entries(caps).map(([k, c]) => h('div', { class: 'fields cap', 'data-test': 'cap-' + k },
      ctl(select(`$.policy.caps.${k}`, k, [...new Set(['total', ...CHANNELS, k])].map(x => [x, x === 'total' ? t('campaigns.capTotal') : t('channel.' + x)]), {
        onchange: e => { const nk = e.target.value; if (nk in caps) return this.changed(true); const copy = {}; Object.entries(caps).forEach(([a, b]) => { copy[a === k ? nk : a] = b; });
          Object.keys(caps).forEach(a => delete caps[a]); Object.assign(caps, copy); store(); this.changed(true); } }), t('campaigns.capOf')),
      ctl(input(`$.policy.caps.${k}.max`, c.max ?? '', { type: 'number', min: 0, class: 'short', oninput: e => { c.max = e.target.value === '' ? '' : Number(e.target.value); this.changed(false); } }), t('campaigns.capMax')),
      ctl(input(`$.policy.caps.${k}.per`, c.per ?? '', { placeholder: '1d', class: 'short', oninput: e => { c.per = e.target.value.trim(); this.changed(false); } }), t('campaigns.capPer')),
      h('button', { type: 'button', class: 'remove', 'data-test': 'cap-remove-' + k, onclick: () => { delete caps[k]; store(); this.changed(true); } }, '✕')));
    return h('section', { class: 'panel' }, h('h2', null, t('campaigns.policy')),
      h('div', { class: 'fields' },
        ctl(input('$.policy.quietHours.from', q.from || '', { type: 'time', oninput: e => { put(q, 'from', e.target.value); store(); this.changed(false); } }), t('campaigns.quietFrom')),
        ctl(input('$.policy.quietHours.to', q.to || '', { type: 'time', oninput: e => { put(q, 'to', e.target.value); store(); this.changed(false); } }), t('campaigns.quietTo')),
        ctl(input('$.policy.timeZone', p.timeZone || '', { placeholder: 'Europe/Kyiv', oninput: e => { put(p, 'timeZone', e.target.value.trim()); store(); this.changed(false); } }), t('campaigns.timeZone'))),
      h('span', { class: 'field-error', 'data-error-for': '$.policy.quietHours' }),
      capRows,
      h('div', { class: 'rule-add' }, h('button', { type: 'button', 'data-test': 'add-cap', onclick: () => {
        const k = ['total', ...CHANNELS].find(x => !(x in caps)) || 'total';
        caps[k] = { max: 1, per: '1d' }; store(); this.changed(true);
      } }, t('campaigns.addCap'))),
      h('p', { class: 'muted small' }, t('campaigns.policyHint')));
  }

  steps() {
    const d = this.def;
    const steps = d.steps || (d.steps = []);
    const add = select('add-step', '', [['', t('campaigns.addStep')], ['cascade-preset', t('campaigns.cascadePreset')], ...STEP_TYPES.map(x => [x, t('campaigns.step.' + x)])], {
      onchange: e => {
        const type = e.target.value;
        if (!type) return;
        const s = type === 'cascade-preset' ? cascadePreset(this.opts.templates) : this.newStep(type);
        let n = steps.length + 1;
        while (steps.some(x => x.id === (s.type + '-' + n))) n++;
        steps.push(Object.assign({ id: s.type + '-' + n }, s));
        this.changed(true);
      } });
    return h('section', { class: 'panel steps' }, h('h2', null, t('campaigns.steps')),
      h('span', { class: 'field-error', 'data-error-for': '$.steps' }),
      h('input', { type: 'hidden', name: '$.steps' }),
      h('ol', { class: 'step-list' }, steps.map((s, i) => h('li', { class: 'step ' + s.type, 'data-test': `step-${i}` }, this.step(s, i, steps)))),
      h('div', { class: 'rule-add' }, add));
  }

  newStep(type) {
    switch (type) {
      case 'send': return { type, channel: 'email', template: (this.opts.templates.find(x => x.channel === 'email') || {}).id || '' };
      case 'cascade': return cascadePreset(this.opts.templates);
      case 'wait': return { type, duration: '1d' };
      case 'branch': return { type, if: { lastMessage: 'opened' }, then: 'exit', else: 'next' };
      default: return { type };
    }
  }

  step(s, i, steps) {
    const p = `$.steps[${i}]`;
    const head = h('div', { class: 'step-head' },
      h('span', { class: 'step-no' }, String(i + 1)),
      ctl(input(p + '.id', s.id || '', { class: 'step-id', oninput: e => { s.id = e.target.value.trim(); this.changed(false); } }), t('campaigns.stepId')),
      ctl(select(p + '.type', s.type, STEP_TYPES.map(x => [x, t('campaigns.step.' + x)]), {
        onchange: e => { const n = Object.assign({ id: s.id }, this.newStep(e.target.value)); steps[i] = n; this.changed(true); } }), t('campaigns.stepType')),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', 'data-test': `step-${i}-up`, disabled: i === 0, title: t('campaigns.up'), onclick: () => { [steps[i - 1], steps[i]] = [steps[i], steps[i - 1]]; this.changed(true); } }, '↑'),
      h('button', { type: 'button', 'data-test': `step-${i}-down`, disabled: i === steps.length - 1, title: t('campaigns.down'), onclick: () => { [steps[i + 1], steps[i]] = [steps[i], steps[i + 1]]; this.changed(true); } }, '↓'),
      h('button', { type: 'button', class: 'remove', 'data-test': `step-${i}-remove`, title: t('rule.remove'), onclick: () => { steps.splice(i, 1); this.changed(true); } }, '✕'));
    let body = null;
    switch (s.type) {
      case 'send': body = h('div', { class: 'fields' }, this.channelInput(s, p + '.channel', true), this.templateSelect(s, p + '.template', s.channel)); break;
      case 'cascade': body = this.cascade(s, p); break;
      case 'wait': body = this.wait(s, p); break;
      case 'branch': body = this.branch(s, p, steps); break;
      case 'exit': body = h('p', { class: 'muted small' }, t('campaigns.exitHint')); break;
      default: body = null;
    }
    return [head, h('span', { class: 'field-error', 'data-error-for': p }), body];
  }

  cascade(s, p) {
    const chans = s.channels || (s.channels = []);
    const rows = [];
    chans.forEach((c, j) => {
      const cp = `${p}.channels[${j}]`;
      const last = j === chans.length - 1;
      rows.push(h('div', { class: 'cascade-channel', 'data-test': `${cp}-row` },
        h('span', { class: 'badge channel' }, String(j + 1)),
        this.channelInput(c, cp + '.channel', true),
        this.templateSelect(c, cp + '.template', c.channel),
        h('button', { type: 'button', class: 'remove', 'data-test': `${cp}-remove`, title: t('rule.remove'),
          onclick: () => { chans.splice(j, 1); if (chans.length) { delete chans[chans.length - 1].within; } this.changed(true); } }, '✕'),
        h('span', { class: 'field-error', 'data-error-for': cp })));
      if (!last) {
        rows.push(h('div', { class: 'cascade-fallback', 'data-test': `${cp}-fallback` },
          h('span', null, t('campaigns.ifNot')),
          ctl(select(cp + '.until', c.until || 'delivered', UNTIL.map(u => [u, t('campaigns.until.' + u)]), { onchange: e => { c.until = e.target.value; this.changed(false); } })),
          h('span', null, t('campaigns.within')),
          ctl(input(cp + '.within', c.within || '', { placeholder: '2h', class: 'short', oninput: e => { put(c, 'within', e.target.value.trim()); this.changed(false); } })),
          h('span', null, '→ ', t('campaigns.fallBack'))));
      } else if (c.until || c.within) {
        rows.push(h('div', { class: 'muted small' }, t('campaigns.lastChannel')));
      }
    });
    return h('div', { class: 'cascade', 'data-test': p + '-cascade' },
      h('p', { class: 'muted small' }, t('campaigns.cascadeHint')),
      h('span', { class: 'field-error', 'data-error-for': p + '.channels' }), h('input', { type: 'hidden', name: p + '.channels' }),
      rows,
      h('div', { class: 'rule-add' }, h('button', { type: 'button', 'data-test': p + '-add-channel', onclick: () => {
        if (chans.length) { const prev = chans[chans.length - 1]; prev.until = prev.until || 'delivered'; prev.within = prev.within || '2h'; }
        const used = chans.map(c => c.channel);
        const channel = CHANNELS.find(c => !used.includes(c)) || 'email';
        chans.push({ channel, template: (this.opts.templates.find(x => x.channel === channel) || {}).id || '' });
        this.changed(true);
      } }, t('campaigns.addChannel'))));
  }

  wait(s, p) {
    const kind = s.event !== undefined ? 'event' : s.until !== undefined ? 'until' : 'duration';
    const kindSelect = select(p + '.wait', kind, ['duration', 'until', 'event'].map(k => [k, t('campaigns.wait.' + k)]), {
      onchange: e => {
        delete s.duration; delete s.until; delete s.event; delete s.timeout;
        if (e.target.value === 'duration') s.duration = '1d';
        if (e.target.value === 'until') s.until = '09:00';
        if (e.target.value === 'event') { s.event = ''; s.timeout = '1h'; }
        this.changed(true);
      } });
    let fields;
    if (kind === 'duration') fields = this.text(s, 'duration', p + '.duration', t('campaigns.duration'), { placeholder: '1d', class: 'short' });
    else if (kind === 'until') fields = ctl(input(p + '.until', s.until || '', { type: 'time', oninput: e => { s.until = e.target.value; this.changed(false); } }), t('campaigns.untilTime'));
    else fields = [this.text(s, 'event', p + '.event', t('campaigns.eventName'), { placeholder: 'order_completed' }),
      this.text(s, 'timeout', p + '.timeout', t('campaigns.timeout'), { placeholder: '1h', class: 'short' })];
    return h('div', { class: 'fields' }, ctl(kindSelect, t('campaigns.waitFor')), fields);
  }

  branch(s, p, steps) {
    const cond = s.if || (s.if = { lastMessage: 'opened' });
    const kind = Object.keys(cond)[0] || 'lastMessage';
    const targets = [['next', t('campaigns.target.next')], ['exit', t('campaigns.target.exit')], ...steps.filter(x => x !== s && x.id).map(x => [x.id, x.id])];
    const kindSelect = select(p + '.if', kind, ['lastMessage', 'lastWait', 'rule'].map(k => [k, t('campaigns.if.' + k)]), {
      onchange: e => {
        const k = e.target.value;
        s.if = k === 'lastMessage' ? { lastMessage: 'opened' } : k === 'lastWait' ? { lastWait: 'event' } : { rule: { trait: '', op: 'eq', value: '' } };
        this.changed(true);
      } });
    let value;
    if (kind === 'lastMessage') value = ctl(select(p + '.if.lastMessage', cond.lastMessage, [...UNTIL, 'failed'].map(u => [u, t('campaigns.until.' + u)]), { onchange: e => { cond.lastMessage = e.target.value; this.changed(false); } }));
    else if (kind === 'lastWait') value = ctl(select(p + '.if.lastWait', cond.lastWait, [['event', t('campaigns.lastWait.event')], ['timeout', t('campaigns.lastWait.timeout')]], { onchange: e => { cond.lastWait = e.target.value; this.changed(false); } }));
    else {
      const re = new RuleEditor({ rule: cond.rule, segments: this.opts.segments, path: p + '.if.rule', readOnly: this.opts.readOnly,
        onChange: () => { cond.rule = re.rule; this.opts.onChange(); } });
      value = re.el;
    }
    return h('div', null,
      h('div', { class: 'fields' }, ctl(kindSelect, t('campaigns.if')), kind !== 'rule' ? value : null,
        ctl(select(p + '.then', s.then || 'next', targets, { onchange: e => { s.then = e.target.value; this.changed(false); } }), t('campaigns.then')),
        ctl(select(p + '.else', s.else || 'next', targets, { onchange: e => { s.else = e.target.value; this.changed(false); } }), t('campaigns.else'))),
      kind === 'rule' ? value : null);
  }
}
