// The task form's list (where the task is; changing it moves the task) and assignee (nobody, or the
// owner or a member of the chosen list, whose members are asked for when the list changes).
import { canEdit, type List, type Member, type User } from '../../api';
import { h } from '../../dom';
import { t } from '../../i18n';
import * as lists from '../../lists';
import { listName } from '../lists/sidebar';

export interface ListPicker {
  select: HTMLSelectElement;
  /** Shows `listId` chosen (offering it even where the person may not add tasks). */
  setValue(listId: string): void;
}

/** The lists a task can be in or moved to: those the person may change tasks in. */
export function listPicker(all: List[]): ListPicker {
  const select = h('select', { testid: 'task-list-input' });
  const fill = (listId: string) => {
    const offered = all.filter((l) => canEdit(l.role) || l.id === listId);
    select.replaceChildren(...offered.map((l) => h('option', { value: l.id }, listName(l))));
    select.value = listId;
  };
  fill(all.find((l) => l.inbox)?.id ?? all[0]?.id ?? '');
  return { select, setValue: fill };
}

export interface AssigneePicker {
  select: HTMLSelectElement;
  /** The list whose members are offered; with keep, an assignee not among them stays offered. */
  setList(listId: string, keep: boolean): void;
  setValue(userId: string): void;
}

export function assigneePicker(me: User): AssigneePicker {
  const select = h('select', { testid: 'task-assignee-input' });
  let wanted = '';
  let members: Member[] = [];
  let listId = '';
  let keep = true;

  function fill(): void {
    const options: HTMLOptionElement[] = [h('option', { value: '' }, t('task.nobody'))];
    for (const m of members) {
      options.push(h('option', { value: m.user_id }, m.user_id === me.id ? t('task.me', { name: m.name }) : m.name));
    }
    if (wanted && !members.some((m) => m.user_id === wanted)) {
      if (keep) options.push(h('option', { value: wanted }, lists.nameOf(wanted) ?? (wanted === me.id ? t('task.me', { name: me.name }) : '…')));
      else wanted = '';
    }
    select.replaceChildren(...options);
    select.value = wanted;
  }

  select.addEventListener('change', () => { wanted = select.value; });

  return {
    select,
    setList(id, keepUnknown) {
      if (id === listId) return;
      listId = id;
      keep = true; // until the members are known
      members = [];
      fill();
      if (!id) return;
      lists.members(id).then((ms) => {
        if (listId !== id) return;
        members = ms;
        keep = keepUnknown;
        wanted = select.value;
        fill();
      }, () => undefined);
    },
    setValue(userId) {
      wanted = userId;
      fill();
    },
  };
}
