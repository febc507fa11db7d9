import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { STEP_EVIDENCE_LABELS } from '../domain/codes.js';
import type { PassportStep } from './passport.js';
import { formatDate } from './web/labels.js';

/**
 * The growth passport as a printable PDF (A4, Dutch), made with pdfkit. The text is set in
 * DejaVu Sans, embedded (subset) from the dejavu-fonts-ttf package: the standard PDF fonts only
 * encode WinAnsi, and a step is written in the participant's own words (any script, accents,
 * curly quotes). It holds the chosen steps and nothing else.
 */

const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

const INK = '#1f2a30';
const MUTED = '#55626a';
const ACCENT = '#2f6b4f';

export async function passportPdf(o: { steps: PassportStep[]; name: string | null; issuerName: string; issuedAt: Date }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 64, bottom: 64, left: 64, right: 64 },
    lang: 'nl-BE',
    displayTitle: true,
    info: {
      Title: o.name ? `Groeipaspoort van ${o.name}` : 'Groeipaspoort',
      Author: o.issuerName,
      Subject: 'Gevalideerde stappen op het groeipad',
      CreationDate: o.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', FONT);
  doc.registerFont('bold', FONT_BOLD);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  doc.font('bold').fontSize(26).fillColor(ACCENT).text('Groeipaspoort');
  doc.moveDown(0.2);
  doc.font('body').fontSize(14).fillColor(INK).text(o.name ? `van ${o.name}` : 'van een bestuyver van de Stuyfplek');
  doc.moveDown(0.6);
  doc.font('body').fontSize(10.5).fillColor(MUTED).text(`Uitgereikt door ${o.issuerName} op ${formatDate(o.issuedAt.getTime())}.`);
  doc.moveDown(1);
  doc
    .font('body')
    .fontSize(11)
    .fillColor(INK)
    .text(
      'Dit zijn stappen op het groeipad bij de Stuyfplek. Een coach heeft elke stap gevalideerd en genoteerd wat ze aantoont. ' +
        'Wie dit paspoort draagt, koos zelf welke stappen erin staan.',
      { width, lineGap: 2 },
    );
  doc.moveDown(1.2);

  o.steps.forEach((step, i) => {
    // Keep a step together: start a new page when this one would not fit.
    const needed = doc.heightOfString(step.text, { width: width - 28 }) + 40;
    if (doc.y + needed > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const top = doc.y;
    doc.font('bold').fontSize(12).fillColor(ACCENT).text(`${i + 1}.`, doc.page.margins.left, top, { width: 24 });
    doc.font('bold').fontSize(12).fillColor(INK).text(step.text, doc.page.margins.left + 28, top, { width: width - 28, lineGap: 1.5 });
    doc.moveDown(0.2);
    doc
      .font('body')
      .fontSize(10)
      .fillColor(MUTED)
      .text(`Gevalideerd op ${formatDate(step.validatedAt)} · ${STEP_EVIDENCE_LABELS[step.evidence]}`, doc.page.margins.left + 28, doc.y, { width: width - 28 });
    doc.moveDown(0.9);
    doc.x = doc.page.margins.left;
  });

  doc.moveDown(1);
  doc
    .font('body')
    .fontSize(9)
    .fillColor(MUTED)
    .text(
      `Dit groeipaspoort bestaat ook als digitaal bewijs (Open Badge 3.0), ondertekend door ${o.issuerName}. Daarmee kan wie het ontvangt nagaan dat het echt is.`,
      doc.page.margins.left,
      doc.y,
      { width },
    );
  doc.end();
  return done;
}
