// The dialogs of a list: create, rename and recolour; delete (after saying how many tasks go with
// it); share (invite by email, change a member's role, remove a member, leave).
import { api, ApiError, MEMBER_ROLES, query, type List, type Member, type Page, type Role, type Summary, type Task, type User } from '../../api';
import { h, uid, type Child } from '../../dom';
import { t } from '../../i18n';
import * as lists from '../../lists';
import { navigate } from '../../router';
import { busy, clearErrors, describe, field, flash, formError, select, showErrors, showFieldError } from '../../ui';

const DEFAULT_COLOR = '#2f6fde';
const COUNT_PAGES = 10;

interface Modal {
  dialog: HTMLDialogElement;
  close(): void;
}

/** A modal <dialog> in `host` with a heading and a close button; it removes itself once closed. */
function modal(host: HTMLElement, testid: string, title: string, content: Child[]): Modal {
  const headingId = uid('dlg');
  const closeButton = h('button', { type: 'button', class: 'button-quiet icon modal-close', testid: `${testid}-close`, 'aria-label': t('share.close') }, '×');
  const dialog = h('dialog', { class: 'modal', testid, 'aria-labelledby': headingId },
    h('div', { class: 'modal-head' }, h('h2', { id: headingId }, title), closeButton),
    ...content);
  const close = () => {
    if (dialog.open) dialog.close();
  };
  closeButton.addEventListener('click', close);
  dialog.addEventListener('close', () => dialog.remove());
  host.append(dialog);
  dialog.showModal();
  return { dialog, close };
}

const roleLabel = (r: Role) => t(`list.role.${r}`);

// ---------------------------------------------------------------------------------------------
// Create, rename, recolour

/** The dialog that creates a list (list = null) or renames and recolours one. */
export function listFormDialog(host: HTMLElement, list: List | null): void {
  const name = h('input', { type: 'text', testid: 'list-name-input', required: true, maxlength: '100', autocomplete: 'off', props: { value: list?.name ?? '' } });
  const color = h('input', { type: 'color', testid: 'list-color-input', props: { value: list?.color ?? DEFAULT_COLOR } });
  const none = h('input', { type: 'checkbox', testid: 'list-color-none', props: { checked: list !== null && list.color === null } });
  none.id = uid();
  const save = h('button', { type: 'submit', class: 'button-primary', testid: 'list-save' }, list ? t('list.save') : t('list.create'));
  const cancel = h('button', { type: 'button', class: 'button-quiet', testid: 'list-cancel' }, t('list.cancel'));
  const form = h('form', { class: 'list-form', testid: 'list-form' },
    field(t('list.name'), name, { name: 'name' }),
    h('div', { class: 'row list-color-row' },
      field(t('list.color'), color, { name: 'color' }),
      h('div', { class: 'check' }, none, h('label', { for: none.id }, t('list.noColor'))),
    ),
    formError(),
    h('div', { class: 'actions' }, save, cancel),
  );
  // Choosing a colour unticks "no colour".
  color.addEventListener('input', () => { none.checked = false; });
  const m = modal(host, 'list-dialog', list ? t('list.editTitle', { name: list.name }) : t('list.createTitle'), [form]);
  cancel.addEventListener('click', m.close);
  name.focus();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(save, async () => {
      clearErrors(form);
      const chosen = none.checked ? null : color.value.toLowerCase();
      try {
        if (!list) {
          const body: Record<string, unknown> = { name: name.value };
          if (chosen) body.color = chosen;
          const created = await api.post<List>('/v1/lists', body);
          lists.put(created);
          m.close();
          navigate(`#/lists/${created.id}`);
          flash(t('list.created', { name: created.name }), 'info', `#/lists/${created.id}`);
          return;
        }
        const patch: Record<string, unknown> = {};
        if (name.value !== list.name) patch.name = name.value;
        if (chosen !== list.color) patch.color = chosen;
        if (Object.keys(patch).length) lists.put(await api.patch<List>(`/v1/lists/${list.id}`, patch));
        m.close();
      } catch (err) {
        if (!(err instanceof ApiError && err.sessionEnded)) showErrors(form, form, err);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Delete

/** How many tasks the list holds: counted page by page, beyond that as the progress service knows. */
async function countTasks(listId: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page<Task> = await api.get<Page<Task>>(`/v1/tasks${query({ list: listId, limit: 200, cursor })}`);
    n += page.items.length;
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < COUNT_PAGES);
  if (cursor) n = Math.max(n, (await api.get<Summary>(`/v1/progress${query({ list: listId })}`)).total);
  return n;
}

/** Asks, naming how many tasks go with the list, then deletes it and shows every task. */
export function deleteListDialog(host: HTMLElement, list: List): void {
  const explain = h('p', { testid: 'list-delete-count', role: 'status' }, t('list.counting'));
  const confirm = h('button', { type: 'button', class: 'button-danger', testid: 'list-delete-confirm', props: { disabled: true } }, t('list.delete'));
  const cancel = h('button', { type: 'button', class: 'button-quiet', testid: 'list-delete-cancel' }, t('list.cancel'));
  const box = h('div', null, explain, formError(), h('div', { class: 'actions' }, confirm, cancel));
  const m = modal(host, 'list-delete-dialog', t('list.deleteTitle', { name: list.name }), [box]);
  cancel.addEventListener('click', m.close);
  cancel.focus();

  countTasks(list.id).then((n) => {
    const form = n === 1 ? 'one' : 'other';
    explain.textContent = t(`list.deleteExplain.${form}`, { n });
    explain.dataset.count = String(n);
    confirm.textContent = t(`list.deleteConfirm.${form}`, { n });
    confirm.dataset.taskCount = String(n);
    confirm.disabled = false;
  }, (err: unknown) => {
    if (!(err instanceof ApiError && err.sessionEnded)) showErrors(box, box, err);
  });

  confirm.addEventListener('click', () => void busy(confirm, async () => {
    try {
      await api.del(`/v1/lists/${list.id}`);
      lists.drop(list.id);
      m.close();
      navigate('#/tasks');
      flash(t('list.deleted', { name: list.name }), 'info', '#/tasks');
    } catch (err) {
      if (!(err instanceof ApiError && err.sessionEnded)) showErrors(box, box, err);
    }
  }));
}

// ---------------------------------------------------------------------------------------------
// Share

/** The members of the list; the owner invites, changes roles and removes; a member may leave. */
export function shareDialog(host: HTMLElement, list: List, me: User): void {
  const isOwner = list.role === 'owner';
  const rows = h('ul', { class: 'member-list', testid: 'member-list', 'aria-label': t('list.members'), 'aria-busy': 'true' });
  const status = h('p', { class: 'hint', role: 'status' });
  const problems = h('div', null, formError());
  const content: Child[] = [];

  let invite: HTMLFormElement | null = null;
  if (isOwner && !list.inbox) {
    const email = h('input', { type: 'email', testid: 'share-email', required: true, autocomplete: 'off', maxlength: '254' });
    const role = select('share-role', MEMBER_ROLES.map((r): [string, string] => [r, roleLabel(r)]), 'editor');
    const send = h('button', { type: 'submit', class: 'button-primary', testid: 'share-invite' }, t('share.invite'));
    invite = h('form', { class: 'share-invite', testid: 'share-form' },
      h('div', { class: 'row' },
        field(t('share.email'), email, { name: 'email', class: 'grow' }),
        field(t('share.role'), role, { name: 'role' }),
        h('div', { class: 'field field-button' }, send)),
      formError());
    const form = invite;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void busy(send, async () => {
        clearErrors(form);
        try {
          const added = await api.post<Member>(`/v1/lists/${list.id}/members`, { email: email.value, role: role.value });
          email.value = '';
          status.textContent = t('share.invited', { name: added.name });
          await changed();
          email.focus();
        } catch (err) {
          if (err instanceof ApiError && err.sessionEnded) return;
          if (err instanceof ApiError && err.status === 404) return showFieldError(form, form, 'email', t('share.noUser'));
          if (err instanceof ApiError && err.status === 409 && !/quota/i.test(err.problem?.detail ?? '')) {
            return showFieldError(form, form, 'email', t('share.already'));
          }
          showErrors(form, form, err);
        }
      });
    });
    content.push(invite);
  } else if (list.inbox) {
    content.push(h('p', { class: 'hint' }, t('share.inboxNote')));
  } else {
    content.push(h('p', { class: 'hint' }, t('share.ownerOnly')));
  }
  content.push(h('h3', null, t('list.members')), rows, problems, status);

  let leave: HTMLButtonElement | null = null;
  if (!isOwner) {
    leave = h('button', { type: 'button', class: 'button-danger', testid: 'list-leave' }, t('share.leave'));
    const button = leave;
    button.addEventListener('click', () => void busy(button, async () => {
      if (!window.confirm(t('share.confirmLeave', { name: list.name }))) return;
      try {
        await api.del(`/v1/lists/${list.id}/members/${me.id}`);
        lists.drop(list.id);
        m.close();
        navigate('#/tasks');
        flash(t('share.left', { name: list.name }), 'info', '#/tasks');
      } catch (err) {
        if (!(err instanceof ApiError && err.sessionEnded)) showErrors(problems, problems, err);
      }
    }));
    content.push(h('div', { class: 'actions' }, leave));
  }

  const m = modal(host, 'share-dialog', t('share.title', { name: list.name }), content);
  (invite?.querySelector<HTMLElement>('input') ?? m.dialog.querySelector<HTMLElement>('.modal-close'))?.focus();

  /** The members changed here: ask for them (and the list, whose version moved) again. */
  async function changed(): Promise<void> {
    lists.membersChanged(list.id);
    await lists.refresh().catch(() => undefined);
    await draw();
  }

  function memberRow(mem: Member): HTMLElement {
    const you = mem.user_id === me.id;
    const label = `${mem.name}${you ? ` ${t('share.you')}` : ''}`;
    let roleControl: HTMLElement;
    let remove: HTMLButtonElement | null = null;
    if (isOwner && mem.role !== 'owner') {
      const roleSelect = select('member-role', MEMBER_ROLES.map((r): [string, string] => [r, roleLabel(r)]), mem.role,
        { 'aria-label': t('share.roleOf', { name: mem.name }), 'data-role': mem.role });
      roleSelect.addEventListener('change', () => {
        roleSelect.disabled = true;
        api.patch<Member>(`/v1/lists/${list.id}/members/${mem.user_id}`, { role: roleSelect.value })
          .then(() => changed(), (err: unknown) => {
            if (!(err instanceof ApiError && err.sessionEnded)) showErrors(problems, problems, err);
            roleSelect.value = mem.role;
          })
          .finally(() => { roleSelect.disabled = false; });
      });
      roleControl = roleSelect;
      const button = h('button', {
        type: 'button', class: 'button-quiet', testid: 'member-remove', 'aria-label': t('share.removeMember', { name: mem.name }),
      }, t('share.remove'));
      button.addEventListener('click', () => void busy(button, async () => {
        if (!window.confirm(t('share.confirmRemove', { name: mem.name, name2: list.name }))) return;
        try {
          await api.del(`/v1/lists/${list.id}/members/${mem.user_id}`);
          await changed();
        } catch (err) {
          if (!(err instanceof ApiError && err.sessionEnded)) showErrors(problems, problems, err);
        }
      }));
      remove = button;
    } else {
      roleControl = h('span', { class: 'chip', testid: 'member-role', 'data-role': mem.role }, roleLabel(mem.role));
    }
    return h('li', { class: 'member-row', testid: 'member-row', 'data-user-id': mem.user_id, 'data-role': mem.role },
      h('div', { class: 'member-who' },
        h('span', { class: 'member-name', testid: 'member-name' }, label),
        h('span', { class: 'member-email hint', testid: 'member-email' }, mem.email)),
      roleControl, remove);
  }

  async function draw(): Promise<void> {
    try {
      const members = await lists.members(list.id);
      rows.replaceChildren(...members.map(memberRow));
      rows.setAttribute('aria-busy', 'false');
    } catch (err) {
      if (!(err instanceof ApiError && err.sessionEnded)) status.textContent = describe(err);
    }
  }
  void draw();
}
