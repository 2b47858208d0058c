// A task's checklist: items ticked, renamed (inline) and removed, and new ones added. The owner
// decides what an action does (the API for a saved task, a local list for a new one).
import type { ChecklistItem } from '../api';
import { h, keepFocus, uid } from '../dom';
import { t } from '../i18n';

export interface ChecklistActions {
  add(text: string): Promise<void>;
  toggle(item: ChecklistItem, done: boolean): Promise<void>;
  rename(item: ChecklistItem, text: string): Promise<void>;
  remove(item: ChecklistItem): Promise<void>;
}

export interface Checklist {
  element: HTMLElement;
  update(items: ChecklistItem[], disabled: boolean): void;
}

export function checklist(actions: ChecklistActions): Checklist {
  let items: ChecklistItem[] = [];
  let disabled = false;
  let editing: string | null = null; // the id of the item being renamed
  const list = h('ul', { class: 'checklist', testid: 'checklist', 'aria-label': t('checklist.title') });
  const empty = h('p', { class: 'hint' }, t('checklist.empty'));
  const input = h('input', { type: 'text', testid: 'checklist-new', maxlength: '500', autocomplete: 'off' });
  input.id = uid();
  const add = h('button', { type: 'submit', testid: 'checklist-add' }, t('checklist.add'));
  const addForm = h('form', { class: 'checklist-add' },
    h('label', { for: input.id, class: 'visually-hidden' }, t('checklist.new')),
    input, add);
  input.placeholder = t('checklist.new');

  addForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || add.disabled) return;
    void run(add, async () => {
      await actions.add(text);
      input.value = '';
      input.focus();
    });
  });

  async function run(button: HTMLButtonElement | HTMLInputElement, fn: () => Promise<void>): Promise<void> {
    button.disabled = true;
    try {
      await fn();
    } catch {
      draw(); // the owner reported the error; show the items as they are
    } finally {
      button.disabled = disabled;
    }
  }

  function item(c: ChecklistItem): HTMLElement {
    const toggle = h('input', { type: 'checkbox', testid: 'checklist-toggle', props: { checked: c.done, disabled } });
    toggle.id = uid();
    toggle.addEventListener('change', () => void run(toggle, () => actions.toggle(c, toggle.checked)));
    const remove = h('button', {
      type: 'button', class: 'button-quiet icon', testid: 'checklist-remove', 'aria-label': t('checklist.removeItem', { text: c.text }),
      title: t('checklist.remove'), props: { disabled },
    }, '✕');
    remove.addEventListener('click', () => void run(remove, () => actions.remove(c)));

    if (editing === c.id) {
      const text = h('input', {
        type: 'text', testid: 'checklist-text', maxlength: '500', 'aria-label': t('checklist.editLabel', { text: c.text }),
        props: { value: c.text },
      });
      const save = h('button', { type: 'button', testid: 'checklist-rename' }, t('checklist.save'));
      const cancel = h('button', { type: 'button', class: 'button-quiet' }, t('checklist.cancel'));
      const commit = () => {
        const value = text.value.trim();
        if (!value || value === c.text) return stopEditing();
        void run(save, async () => {
          await actions.rename(c, value);
          stopEditing();
        });
      };
      save.addEventListener('click', commit);
      cancel.addEventListener('click', stopEditing);
      text.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          stopEditing();
        }
      });
      queueMicrotask(() => text.focus());
      return h('li', { class: 'checklist-item editing', testid: 'checklist-item', 'data-item-id': c.id }, toggle, text, save, cancel, remove);
    }

    const rename = h('button', {
      type: 'button', class: 'button-quiet', testid: 'checklist-rename', 'aria-label': t('checklist.renameItem', { text: c.text }),
      props: { disabled },
    }, t('checklist.rename'));
    rename.addEventListener('click', () => {
      editing = c.id;
      draw();
    });
    return h('li', { class: `checklist-item${c.done ? ' done' : ''}`, testid: 'checklist-item', 'data-item-id': c.id },
      toggle,
      h('label', { for: toggle.id, testid: 'checklist-text' }, c.text),
      rename, remove);
  }

  function stopEditing(): void {
    const id = editing;
    editing = null;
    draw();
    if (id) list.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(id)}"] [data-testid="checklist-rename"]`)?.focus();
  }

  function draw(): void {
    if (editing && !items.some((c) => c.id === editing)) editing = null;
    // A redraw (e.g. a change from elsewhere) keeps what is being typed into a new name.
    const open = list.querySelector<HTMLElement>('.editing');
    const typed = open?.dataset.itemId === editing ? open?.querySelector('input[type="text"]') : null;
    const value = typed instanceof HTMLInputElement ? typed.value : null;
    keepFocus(list, () => list.replaceChildren(...items.map(item)));
    const field = list.querySelector<HTMLInputElement>('.editing input[type="text"]');
    if (field && value !== null) field.value = value;
    empty.hidden = items.length > 0;
    input.disabled = add.disabled = disabled;
  }

  return {
    element: h('div', { class: 'checklist-box' }, list, empty, addForm),
    update(next, off) {
      items = next;
      disabled = off;
      draw();
    },
  };
}
