// The head of a list's page (#/lists/<id>): its name and colour, the person's role, how many share
// it, and what that role may do: share (everyone sees the members; the owner manages them), rename
// and recolour (owner, editor), delete (owner; not the inbox). A viewer gets no "new task".
import { canEdit, type List } from '../../api';
import { append, h } from '../../dom';
import { t } from '../../i18n';
import * as lists from '../../lists';
import * as session from '../../session';
import { colorDot, listName } from './sidebar';
import { deleteListDialog, listFormDialog, shareDialog } from './dialogs';

export interface ListHeader {
  element: HTMLElement;
  stop(): void;
}

export function listHeader(host: HTMLElement, listId: string, heading: HTMLElement, newTask: HTMLElement): ListHeader {
  const element = h('div', { class: 'list-head', testid: 'list-head', 'data-list-id': listId });

  const head = heading.parentElement;
  // "Not a member" only once the lists were asked for since this page opened (they may be older
  // than a share that brought the person here).
  const since = lists.loads();
  function draw(list: List | undefined): void {
    // A viewer gets no "new task" at all (not merely a hidden one).
    if (canEdit(list?.role)) {
      if (!newTask.isConnected) head?.append(newTask);
    } else {
      newTask.remove();
    }
    if (!list) {
      heading.replaceChildren(t('lists.title'));
      element.replaceChildren(lists.loads() > since ? h('p', { class: 'form-error', role: 'alert', testid: 'list-not-found' }, t('list.notFound')) : '');
      return;
    }
    element.dataset.role = list.role;
    heading.replaceChildren(colorDot(list, 'list-color'), h('span', { testid: 'list-title' }, listName(list)));
    const buttons: HTMLElement[] = [];
    if (!list.inbox) {
      const share = h('button', { type: 'button', testid: 'share-open' },
        list.role === 'owner' ? t('list.share') : t('list.members'));
      share.addEventListener('click', () => void session.user().then((me) => shareDialog(host, lists.byId(listId) ?? list, me)));
      buttons.push(share);
    }
    if (canEdit(list.role)) {
      const rename = h('button', { type: 'button', testid: 'list-rename' }, t('list.rename'));
      rename.addEventListener('click', () => listFormDialog(host, lists.byId(listId) ?? list));
      buttons.push(rename);
    }
    if (list.role === 'owner' && !list.inbox) {
      const del = h('button', { type: 'button', class: 'button-danger', testid: 'list-delete' }, t('list.delete'));
      del.addEventListener('click', () => deleteListDialog(host, lists.byId(listId) ?? list));
      buttons.push(del);
    }
    element.replaceChildren();
    append(element, [
      h('div', { class: 'list-facts' },
        h('span', { class: 'chip', testid: 'list-role', 'data-role': list.role }, t('list.youAre', { role: t(`list.role.${list.role}`) })),
        list.member_count > 1 ? h('span', { class: 'hint' }, t('lists.shared', { n: list.member_count })) : null,
        h('span', { class: 'hint' }, t('lists.open', { n: list.open_tasks })),
      ),
      h('div', { class: 'actions list-actions' }, ...buttons),
      canEdit(list.role) ? null : h('p', { class: 'hint list-readonly', testid: 'list-readonly' }, t('list.readOnly')),
    ]);
  }

  draw(lists.byId(listId));
  const stop = lists.onChange(() => draw(lists.byId(listId)));
  if (!lists.current()) void lists.lists().then(() => draw(lists.byId(listId)), () => undefined);
  return { element, stop: () => void stop() };
}
