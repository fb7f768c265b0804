// The segment rule builder (docs/segments.md): all / any / not groups, trait, event, segment,
// consent and identity conditions. Every control is named by the JSON path of what it edits, so a
// problem the server reports ("$.rule.all[0].op") marks that very control.
import { h } from '../../ui.js';
import { t } from '../../i18n.js';
import { ctl, input, select, parseValue, showValue } from './util.js';

export const VALUE_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'in', 'not_in', 'between', 'exists', 'not_exists'];
export const DATE_OPS = ['within_last', 'within_next', 'anniversary_within'];
const KINDS = ['trait', 'event', 'segment', 'consent', 'identity', 'all', 'any', 'not'];
const IDENTITY_TYPES = ['email', 'phone', 'user_id', 'anonymous_id', 'viber_id', 'crm_id', 'erp_id'];

export function kindOf(node) {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return null;
  return KINDS.find(k => k in node) || null;
}

export function defaultNode(kind, segments) {
  switch (kind) {
    case 'trait': return { trait: '', op: 'eq', value: '' };
    case 'event': return { event: '' };
    case 'segment': return { segment: segments && segments.length ? segments[0].id : '' };
    case 'consent': return { consent: { channel: 'email', purpose: 'marketing' } };
    case 'identity': return { identity: 'email', op: 'exists' };
    case 'all': return { all: [defaultNode('trait')] };
    case 'any': return { any: [defaultNode('trait')] };
    case 'not': return { not: { all: [defaultNode('event')] } };
    default: return {};
  }
}

/**
 * new RuleEditor({rule, segments, selfId, readOnly, onChange, path = '$.rule'}); editor.el is the form. onChange()
 * follows every edit; editor.rule is the rule now; editor.setRule(r) shows another one.
 */
export class RuleEditor {
  constructor(opts) {
    this.opts = opts;
    this.rule = opts.rule;
    this.el = h('div', { class: 'rule-editor', 'data-test': 'rule-editor' });
    this.render();
  }

  setRule(rule) { this.rule = rule; this.render(); }

  render() {
    const focused = document.activeElement && this.el.contains(document.activeElement) ? document.activeElement.getAttribute('name') : null;
    this.el.replaceChildren(this.node(this.rule, this.opts.path || '$.rule', { replace: n => { this.rule = n; }, remove: null }));
    if (this.opts.readOnly) this.el.querySelectorAll('input, select, button, textarea').forEach(e => { e.disabled = true; });
    if (focused) { const f = this.el.querySelector(`[name="${CSS.escape(focused)}"]`); if (f) f.focus(); }
  }

  changed(structural) {
    if (structural) this.render();
    this.opts.onChange();
  }

  node(node, path, parent) {
    const kind = kindOf(node);
    const kindSelect = select(path, kind || '', [...(kind ? [] : [['', '?']]), ...KINDS.map(k => [k, t('rule.kind.' + k)])], {
      class: 'kind', 'aria-label': t('rule.kind'),
      onchange: e => {
        const k = e.target.value;
        let next;
        if ((k === 'all' || k === 'any') && (kind === 'all' || kind === 'any')) next = { [k]: node[kind] };
        else if (k === 'not') next = { not: node };
        else if (kind === 'not' && kindOf(node.not) === k) next = node.not;
        else next = defaultNode(k, this.opts.segments);
        parent.replace(next);
        this.changed(true);
      },
    });
    const remove = parent.remove ? h('button', { type: 'button', class: 'remove', 'data-test': path + '-remove', title: t('rule.remove'),
      onclick: () => { parent.remove(); this.changed(true); } }, '✕') : null;
    let body;
    switch (kind) {
      case 'all': case 'any': body = this.group(node, kind, path); break;
      case 'not': body = h('div', { class: 'children' }, this.node(node.not, path + '.not', { replace: n => { node.not = n; }, remove: null })); break;
      case 'trait': body = this.trait(node, path); break;
      case 'event': body = this.event(node, path); break;
      case 'segment': body = this.segment(node, path); break;
      case 'consent': body = this.consent(node, path); break;
      case 'identity': body = this.identity(node, path); break;
      default: body = h('span', { class: 'muted' }, t('rule.unknownNode'));
    }
    const group = kind === 'all' || kind === 'any' || kind === 'not';
    return h('div', { class: 'rule-node ' + (group ? 'group ' : 'condition ') + (kind || ''), 'data-test': path + '-node' },
      h('div', { class: 'rule-head' }, ctl(kindSelect), group ? h('span', { class: 'muted' }, t('rule.help.' + kind)) : null, remove),
      body);
  }

  group(node, kind, path) {
    const items = node[kind];
    const children = items.map((child, i) => this.node(child, `${path}.${kind}[${i}]`, {
      replace: n => { items[i] = n; },
      remove: () => { items.splice(i, 1); },
    }));
    const add = select(path + '-add', '', [['', t('rule.add')], ...KINDS.map(k => [k, t('rule.kind.' + k)])], {
      class: 'add', 'aria-label': t('rule.add'),
      onchange: e => { if (!e.target.value) return; items.push(defaultNode(e.target.value, this.opts.segments)); this.changed(true); },
    });
    return h('div', { class: 'children' }, children, h('div', { class: 'rule-add' }, add));
  }

  /** A value box fitting the operator; edits node.value. */
  value(node, path, op) {
    const set = v => { node.value = v; this.changed(false); };
    if (op === 'exists' || op === 'not_exists') return null;
    if (op === 'in' || op === 'not_in') {
      const v = Array.isArray(node.value) ? node.value.map(showValue).join(', ') : '';
      return ctl(input(path + '.value', v, { placeholder: t('rule.placeholder.list'),
        oninput: e => set(e.target.value.split(',').map(s => s.trim()).filter(s => s !== '').map(parseValue)) }), t('rule.values'));
    }
    if (op === 'between') {
      const v = Array.isArray(node.value) ? node.value : ['', ''];
      const pair = [v[0], v[1]];
      return h('span', { class: 'between' },
        ctl(input(path + '.value', showValue(pair[0]), { placeholder: t('rule.placeholder.low'), oninput: e => { pair[0] = parseValue(e.target.value); set([...pair]); } }), t('rule.from')),
        ctl(input(path + '.value[1]', showValue(pair[1]), { placeholder: t('rule.placeholder.high'), oninput: e => { pair[1] = parseValue(e.target.value); set([...pair]); } }), t('rule.to')));
    }
    if (DATE_OPS.includes(op)) {
      return ctl(input(path + '.value', node.value ?? '', { placeholder: '7d', class: 'short', oninput: e => set(e.target.value.trim()) }), t('rule.period'));
    }
    return ctl(input(path + '.value', showValue(node.value), { placeholder: t('rule.placeholder.value'), oninput: e => set(parseValue(e.target.value)) }), t('rule.value'));
  }

  /** Reshapes node.value when the operator changes, so the box fits. */
  static reshape(node, op) {
    if (op === 'exists' || op === 'not_exists') delete node.value;
    else if (op === 'in' || op === 'not_in') node.value = Array.isArray(node.value) ? node.value : (node.value === '' || node.value === undefined ? [] : [node.value]);
    else if (op === 'between') node.value = Array.isArray(node.value) && node.value.length === 2 ? node.value : ['', ''];
    else if (DATE_OPS.includes(op)) node.value = typeof node.value === 'string' && /^\d+[mhdw]$/.test(node.value) ? node.value : '7d';
    else if (Array.isArray(node.value) || node.value === undefined) node.value = '';
  }

  comparison(node, path, ops, nameKey, nameLabel) {
    const known = node.op === undefined || ops.includes(node.op) ? ops : [...ops, node.op];
    const opSelect = select(path + '.op', node.op ?? '', [...(node.op === undefined ? [['', '?']] : []), ...known.map(o => [o, ops.includes(o) ? t('rule.op.' + o) : String(o)])], {
      'aria-label': t('rule.operator'),
      onchange: e => { node.op = e.target.value; RuleEditor.reshape(node, node.op); this.changed(true); },
    });
    return [
      ctl(input(`${path}.${nameKey}`, node[nameKey], { placeholder: nameLabel, oninput: e => { node[nameKey] = e.target.value.trim(); this.changed(false); } }), nameLabel),
      ctl(opSelect, t('rule.operator')),
      this.value(node, path, node.op),
    ];
  }

  trait(node, path) {
    return h('div', { class: 'fields' }, this.comparison(node, path, [...VALUE_OPS, ...DATE_OPS], 'trait', t('rule.trait')));
  }

  event(node, path) {
    const where = Array.isArray(node.where) ? node.where : [];
    const countKind = node.count ? Object.keys(node.count)[0] : '';
    const rel = 'notFollowedBy' in node ? 'notFollowedBy' : 'followedBy' in node ? 'followedBy' : '';
    const text = (key, ph, cls) => ctl(input(`${path}.${key}`, node[key] ?? '', { placeholder: ph, class: cls,
      oninput: e => { const v = e.target.value.trim(); if (v) node[key] = v; else delete node[key]; this.changed(false); } }), t('rule.' + key));
    const filters = where.map((c, i) => h('div', { class: 'fields where', 'data-test': `${path}.where[${i}]-row` },
      h('span', { class: 'muted' }, t('rule.whereLabel')),
      this.comparison(c, `${path}.where[${i}]`, VALUE_OPS, 'property', t('rule.property')),
      h('button', { type: 'button', class: 'remove', 'data-test': `${path}.where[${i}]-remove`, title: t('rule.remove'),
        onclick: () => { where.splice(i, 1); if (!where.length) delete node.where; this.changed(true); } }, '✕')));
    const count = h('span', { class: 'fields' },
      ctl(select(path + '.count', countKind, [['', t('rule.count.default')], ['atLeast', t('rule.count.atLeast')], ['atMost', t('rule.count.atMost')], ['exactly', t('rule.count.exactly')]], {
        onchange: e => { const k = e.target.value; const n = node.count ? Object.values(node.count)[0] : 1; if (k) node.count = { [k]: n }; else delete node.count; this.changed(true); } }), t('rule.count')),
      countKind ? ctl(input(`${path}.count.${countKind}`, node.count[countKind], { type: 'number', min: 0, class: 'short',
        oninput: e => { node.count = { [countKind]: e.target.value === '' ? '' : Number(e.target.value) }; this.changed(false); } }), t('rule.times')) : null);
    const relation = h('div', { class: 'fields relation' },
      ctl(select(path + '.relation', rel, [['', t('rule.relation.none')], ['notFollowedBy', t('rule.relation.notFollowedBy')], ['followedBy', t('rule.relation.followedBy')]], {
        onchange: e => {
          const r = e.target.value;
          const old = node.notFollowedBy || node.followedBy || { event: '', within: '1h' };
          delete node.notFollowedBy; delete node.followedBy;
          if (r) node[r] = old;
          this.changed(true);
        } }), t('rule.relation')),
      rel ? [
        ctl(input(`${path}.${rel}.event`, node[rel].event, { placeholder: 'order_completed', oninput: e => { node[rel].event = e.target.value.trim(); this.changed(false); } }), t('rule.otherEvent')),
        ctl(input(`${path}.${rel}.within`, node[rel].within, { placeholder: '1h', class: 'short', oninput: e => { node[rel].within = e.target.value.trim(); this.changed(false); } }), t('rule.withinAfter')),
      ] : null);
    return h('div', null,
      h('div', { class: 'fields' }, text('event', 'added_to_cart'), count, text('within', t('rule.placeholder.ever'), 'short')),
      filters,
      h('div', { class: 'rule-add' }, h('button', { type: 'button', 'data-test': path + '-add-where',
        onclick: () => { if (!Array.isArray(node.where)) node.where = []; node.where.push({ property: '', op: 'eq', value: '' }); this.changed(true); } }, t('rule.addWhere'))),
      relation);
  }

  segment(node, path) {
    const segs = (this.opts.segments || []).filter(s => s.id !== this.opts.selfId);
    const known = segs.some(s => String(s.id) === String(node.segment) || s.name === node.segment);
    const options = segs.map(s => [s.id, s.name]);
    if (!known && node.segment !== '' && node.segment !== undefined) options.unshift([node.segment, String(node.segment)]);
    return h('div', { class: 'fields' }, ctl(select(path + '.segment', node.segment, options.length ? options : [['', t('rule.noSegments')]], {
      onchange: e => { const v = e.target.value; node.segment = /^\d+$/.test(v) ? Number(v) : v; this.changed(false); } }), t('rule.memberOf')));
  }

  consent(node, path) {
    const c = node.consent || (node.consent = {});
    return h('div', { class: 'fields' },
      ctl(input(path + '.consent.channel', c.channel, { list: 'atrium-channels', oninput: e => { c.channel = e.target.value.trim(); this.changed(false); } }), t('rule.channel')),
      ctl(input(path + '.consent.purpose', c.purpose, { list: 'atrium-purposes', oninput: e => { c.purpose = e.target.value.trim(); this.changed(false); } }), t('rule.purpose')),
      ctl(select(path + '.consent.granted', c.granted === false ? 'false' : 'true', [['true', t('rule.granted')], ['false', t('rule.refused')]], {
        onchange: e => { if (e.target.value === 'false') c.granted = false; else delete c.granted; this.changed(false); } }), t('rule.consentState')),
      h('datalist', { id: 'atrium-channels' }, ['email', 'sms', 'viber'].map(v => h('option', { value: v }))),
      h('datalist', { id: 'atrium-purposes' }, ['marketing', 'transactional', 'all'].map(v => h('option', { value: v }))));
  }

  identity(node, path) {
    return h('div', { class: 'fields' },
      ctl(select(path + '.op', node.op || 'exists', [['exists', t('rule.identity.exists')], ['not_exists', t('rule.identity.not_exists')]], {
        onchange: e => { node.op = e.target.value; this.changed(false); } }), t('rule.operator')),
      ctl(input(path + '.identity', node.identity, { list: 'atrium-id-types', oninput: e => { node.identity = e.target.value.trim(); this.changed(false); } }), t('rule.identityType')),
      h('datalist', { id: 'atrium-id-types' }, IDENTITY_TYPES.map(v => h('option', { value: v }))));
  }
}
