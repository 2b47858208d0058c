// The task's progress: its value and bar, and the slider that sets it (only without a checklist,
// whose ticked items then decide it), saved by itself a moment after it moves.
import { debounce, h } from '../../dom';
import { t } from '../../i18n';
import { field } from '../../ui';

export interface ProgressSliderOptions {
  /** True for a saved task (a moved slider is saved), false for a new one (kept as a draft). */
  saved: boolean;
  /** Saves a saved task's progress; the caller reports a failure. */
  save(value: number): Promise<void>;
  /** Keeps a new task's progress until it is created. */
  keepDraft(value: number): void;
  /** Draws the side again, once a save is over. */
  redraw(): void;
}

export interface ProgressSlider {
  /** In order: the heading with the value, the bar, the slider's field, the "from the checklist" note. */
  elements: HTMLElement[];
  show(progress: number, hasChecklist: boolean, expired: boolean): void;
  /** Drops a save not yet started (the page closes). */
  cancel(): void;
}

export function progressSlider(options: ProgressSliderOptions): ProgressSlider {
  let saving = false;
  const value = h('output', { testid: 'progress-value', class: 'progress-value' });
  const slider = h('input', { type: 'range', testid: 'progress-slider', min: '0', max: '100', step: '1' });
  const sliderField = field(t('progress.slider'), slider, { name: 'progress', class: 'slider-field' });
  value.htmlFor.add(slider.id);
  const bar = h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span'));
  const derivedNote = h('p', { class: 'hint' }, t('progress.derived'));
  const showValue = (progress: number | string) => {
    value.textContent = `${progress}%`;
    (bar.firstElementChild as HTMLElement).style.width = `${progress}%`;
  };

  const save = debounce(() => {
    const progress = Number(slider.value);
    if (!options.saved) {
      options.keepDraft(progress);
      return;
    }
    saving = true;
    options.save(progress)
      .catch(() => undefined)
      .finally(() => {
        saving = false;
        options.redraw();
      });
  }, 250);
  slider.addEventListener('input', () => showValue(slider.value));
  slider.addEventListener('change', () => {
    saving = options.saved;
    save();
  });

  return {
    elements: [
      h('div', { class: 'progress-head' }, h('span', { class: 'progress-label' }, t('progress.slider')), value),
      bar, sliderField, derivedNote,
    ],
    show(progress, hasChecklist, expired) {
      showValue(progress);
      sliderField.hidden = hasChecklist;
      derivedNote.hidden = !hasChecklist;
      if (!saving && document.activeElement !== slider) slider.value = String(progress);
      slider.disabled = expired;
      // A checklist with items replaces the slider: the element goes, as the contract says.
      if (hasChecklist) sliderField.remove();
      else if (!sliderField.isConnected) bar.after(sliderField);
    },
    cancel: () => save.cancel(),
  };
}
