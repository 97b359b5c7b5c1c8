import '@/utils/zod-setup';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { OptionsApp } from './OptionsApp';
import '@/components/styles.css';
import { i18n } from '#i18n';

// index.html is English until this runs: the tab's name, and the language screen readers speak in.
document.title = i18n.t('options.title');
document.documentElement.lang = i18n.t('routing.textLocale');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <OptionsApp />
  </StrictMode>,
);
