// Tiny DOM helpers: h() builds elements, ids are unique per page.

export type Child = Node | string | number | null | undefined | false | Child[];

type Handler = (event: Event) => void;

export interface Attrs {
  class?: string;
  testid?: string;
  on?: Record<string, Handler>;
  /** Properties set directly on the element (value, checked, disabled, hidden...). */
  props?: Record<string, unknown>;
  [attribute: string]: unknown;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'on') {
        for (const [type, fn] of Object.entries(value as Record<string, Handler>)) el.addEventListener(type, fn);
      } else if (key === 'props') {
        Object.assign(el, value);
      } else if (key === 'testid') {
        el.dataset.testid = String(value);
      } else if (key === 'style') {
        // Through the CSSOM: the gateway's Content-Security-Policy refuses style attributes.
        el.style.cssText = String(value);
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

let counter = 0;
/** A fresh element id (labels point at their controls with it). */
export function uid(prefix = 'f'): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Runs fn at most once per `ms`, after the calls stop. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const d = (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

/**
 * Re-focuses, after `update` rebuilt `container`, the control with the same data-testid (and item
 * id), else the first of `fallback` (e.g. "reopen" where "complete" was).
 */
export function keepFocus(container: HTMLElement, update: () => void, fallback = 'button:not([disabled]), a[href], input, select'): void {
  const active = document.activeElement;
  const inside = active instanceof HTMLElement && container.contains(active);
  const testid = inside ? active.dataset.testid : undefined;
  const itemId = inside ? active.closest<HTMLElement>('[data-item-id]')?.dataset.itemId : undefined;
  update();
  if (!inside) return;
  let target: HTMLElement | null = null;
  if (testid) {
    const scope = itemId ? container.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(itemId)}"]`) : container;
    target = scope?.querySelector<HTMLElement>(`[data-testid="${CSS.escape(testid)}"]`) ?? null;
  }
  target ??= container.querySelector<HTMLElement>(fallback);
  target?.focus();
}
