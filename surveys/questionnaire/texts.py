"""Text in the respondent's language: `pick` for a language -> text mapping of an instrument,
`t` for an interface text of the respondent pages.

Kept as data (not gettext catalogues) so a new language is one column here, with no
compile step on a fresh machine.
"""
from django.utils import translation

TEXTS: dict[str, dict[str, str]] = {
    "quota_closed_title": {"en": "Thank you for your time", "it": "Grazie per il tempo dedicato",
                           "es": "Gracias por su tiempo"},
    "quota_closed": {"en": "We have already received enough answers from firms like yours, so we do not need to "
                           "ask you any more questions. Thank you very much for your help: there is nothing else "
                           "you need to do.",
                     "it": "Abbiamo già ricevuto abbastanza risposte da imprese come la vostra, quindi non abbiamo "
                           "bisogno di porvi altre domande. Grazie mille per l'aiuto: non c'è altro da fare.",
                     "es": "Ya hemos recibido suficientes respuestas de empresas como la suya, así que no "
                           "necesitamos hacerle más preguntas. Muchas gracias por su ayuda: no tiene que hacer "
                           "nada más."},
    "required": {"en": "This question needs an answer.", "it": "Questa domanda richiede una risposta.",
                 "es": "Esta pregunta necesita una respuesta."},
    "not_number": {"en": "Please enter a number.", "it": "Inserire un numero.", "es": "Introduzca un número."},
    "decimals": {"en": "Use at most {n} decimal places.", "it": "Usare al massimo {n} decimali.",
                 "es": "Use como máximo {n} decimales."},
    "decimals0": {"en": "Please enter a whole number.", "it": "Inserire un numero intero.",
                  "es": "Introduzca un número entero."},
    "min": {"en": "The smallest allowed value is {v}.", "it": "Il valore minimo ammesso è {v}.",
            "es": "El valor mínimo permitido es {v}."},
    "max": {"en": "The largest allowed value is {v}.", "it": "Il valore massimo ammesso è {v}.",
            "es": "El valor máximo permitido es {v}."},
    "year": {"en": "Please enter a year between {a} and {b}.", "it": "Inserire un anno tra {a} e {b}.",
             "es": "Introduzca un año entre {a} y {b}."},
    "choice": {"en": "Please choose one of the listed answers.", "it": "Scegliere una delle risposte elencate.",
               "es": "Elija una de las respuestas de la lista."},
    "max_sel": {"en": "Choose at most {n}.", "it": "Sceglierne al massimo {n}.", "es": "Elija como máximo {n}."},
    "min_sel": {"en": "Choose at least {n}.", "it": "Sceglierne almeno {n}.", "es": "Elija al menos {n}."},
    "exclusive": {"en": "“{label}” cannot be combined with other answers.",
                  "it": "“{label}” non può essere combinata con altre risposte.",
                  "es": "“{label}” no se puede combinar con otras respuestas."},
    "other": {"en": "Please specify “{label}”.", "it": "Specificare “{label}”.", "es": "Especifique “{label}”."},
    "sum100": {"en": "The parts must add up to 100 (now {total}).",
               "it": "Le parti devono sommare a 100 (ora {total}).",
               "es": "Las partes deben sumar 100 (ahora {total})."},
    "date": {"en": "Please enter a date as YYYY-MM-DD.", "it": "Inserire una data nel formato AAAA-MM-GG.",
             "es": "Introduzca una fecha como AAAA-MM-DD."},
    "date_range": {"en": "Please enter a date between {a} and {b}.", "it": "Inserire una data tra {a} e {b}.",
                   "es": "Introduzca una fecha entre {a} y {b}."},
    "too_long": {"en": "Please use at most {n} characters.", "it": "Usare al massimo {n} caratteri.",
                 "es": "Use como máximo {n} caracteres."},
    "check": {"en": "Please check this answer.", "it": "Verificare questa risposta.",
              "es": "Revise esta respuesta."},
    "confirm_warning": {"en": "I have checked: the answer is correct.", "it": "Ho verificato: la risposta è corretta.",
                        "es": "Lo he comprobado: la respuesta es correcta."},
    "next": {"en": "Save and continue", "it": "Salva e continua", "es": "Guardar y continuar"},
    "back": {"en": "Back", "it": "Indietro", "es": "Atrás"},
    "review": {"en": "Review your answers", "it": "Rivedi le risposte", "es": "Revise sus respuestas"},
    "submit": {"en": "Submit the questionnaire", "it": "Invia il questionario", "es": "Enviar el cuestionario"},
    "start": {"en": "Start", "it": "Inizia", "es": "Comenzar"},
    "resume": {"en": "Continue where you stopped", "it": "Riprendi da dove eri rimasto",
               "es": "Continuar donde lo dejó"},
    "page_of": {"en": "Page {n} of {total}", "it": "Pagina {n} di {total}", "es": "Página {n} de {total}"},
    "saved_note": {"en": "Your answers are saved on every page. You can stop and come back with the same link.",
                   "it": "Le risposte vengono salvate a ogni pagina. Puoi interrompere e tornare con lo stesso link.",
                   "es": "Sus respuestas se guardan en cada página. Puede parar y volver con el mismo enlace."},
    "errors_on_page": {"en": "Some answers need your attention; see the messages next to the questions.",
                       "it": "Alcune risposte richiedono attenzione: vedere i messaggi accanto alle domande.",
                       "es": "Algunas respuestas requieren atención: vea los mensajes junto a las preguntas."},
    "conflict": {"en": "These answers were changed in another window or tab meanwhile. The page now shows the "
                       "saved answers; please check them and save again.",
                 "it": "Nel frattempo queste risposte sono state modificate in un'altra finestra. La pagina mostra "
                       "ora le risposte salvate: verificarle e salvare di nuovo.",
                 "es": "Estas respuestas se cambiaron mientras tanto en otra ventana. La página muestra ahora las "
                       "respuestas guardadas; revíselas y guarde de nuevo."},
    "thanks": {"en": "Thank you! Your questionnaire has been submitted.",
               "it": "Grazie! Il questionario è stato inviato.", "es": "¡Gracias! Su cuestionario ha sido enviado."},
    "print": {"en": "Print a copy of your answers", "it": "Stampa una copia delle risposte",
              "es": "Imprimir una copia de sus respuestas"},
    "edit": {"en": "Change", "it": "Modifica", "es": "Cambiar"},
    "no_answer": {"en": "(no answer)", "it": "(nessuna risposta)", "es": "(sin respuesta)"},
    "closed": {"en": "This survey is closed.", "it": "L'indagine è chiusa.", "es": "La encuesta está cerrada."},
    "invalid_link": {"en": "This link is not valid. Please check the address in your invitation.",
                     "it": "Questo link non è valido. Verificare l'indirizzo nell'invito.",
                     "es": "Este enlace no es válido. Compruebe la dirección de su invitación."},
    "language": {"en": "Language", "it": "Lingua", "es": "Idioma"},
    "progress": {"en": "Progress", "it": "Avanzamento", "es": "Progreso"},
    "submit_incomplete": {"en": "Some pages still need answers before you can submit.",
                          "it": "Alcune pagine richiedono ancora risposte prima dell'invio.",
                          "es": "Algunas páginas aún necesitan respuestas antes de enviar."},
    "missing_DK": {"en": "Don't know", "it": "Non so", "es": "No sabe"},
    "missing_RF": {"en": "Refused", "it": "Rifiuta", "es": "No contesta"},
    "yes": {"en": "Yes", "it": "Sì", "es": "Sí"},
    "no": {"en": "No", "it": "No", "es": "No"},
    "optional": {"en": "optional", "it": "facoltativa", "es": "opcional"},
    "definition": {"en": "Definition", "it": "Definizione", "es": "Definición"},
    "other_specify": {"en": "Other, please specify", "it": "Altro, specificare", "es": "Otro, especifique"},
    # respondent comforts (surveys/answering/comforts.py): register data, passing the link on, PDF copy
    "register_title": {"en": "Your company in our register", "it": "La Sua impresa nel nostro registro",
                       "es": "Su empresa en nuestro registro"},
    "register_intro": {"en": "These data come from the business register. Please confirm them or correct what is "
                             "wrong.",
                       "it": "Questi dati provengono dal registro delle imprese. La preghiamo di confermarli o di "
                             "correggere ciò che non è esatto.",
                       "es": "Estos datos proceden del registro de empresas. Confírmelos o corrija lo que no sea "
                             "correcto."},
    "register_sector": {"en": "Sector (NACE / Ateco code)", "it": "Settore (codice Ateco)",
                        "es": "Sector (código CNAE)"},
    "register_size": {"en": "Number of employees", "it": "Numero di addetti", "es": "Número de empleados"},
    "register_district": {"en": "District", "it": "Distretto", "es": "Distrito o comarca"},
    "register_confirm": {"en": "Confirm these data", "it": "Conferma i dati", "es": "Confirmar los datos"},
    "register_done": {"en": "Thank you: the data were confirmed on {date}.",
                      "it": "Grazie: i dati sono stati confermati il {date}.",
                      "es": "Gracias: los datos se confirmaron el {date}."},
    "handover_title": {"en": "Should a colleague answer instead?", "it": "Deve rispondere un collega?",
                       "es": "¿Debe responder un colega?"},
    "handover_intro": {"en": "Tell us who will answer: our reminders will go to them. Then send them the address "
                             "of this page.",
                       "it": "Ci indichi chi risponderà: i promemoria saranno inviati a questa persona. Poi le "
                             "inoltri l'indirizzo di questa pagina.",
                       "es": "Indíquenos quién responderá: los recordatorios se le enviarán a esa persona. Después "
                             "envíele la dirección de esta página."},
    "handover_name": {"en": "Colleague's name", "it": "Nome del collega", "es": "Nombre del colega"},
    "handover_email": {"en": "Colleague's e-mail", "it": "E-mail del collega", "es": "Correo electrónico del colega"},
    "handover_phone": {"en": "Phone (optional)", "it": "Telefono (facoltativo)", "es": "Teléfono (opcional)"},
    "handover_submit": {"en": "Pass the questionnaire on", "it": "Passa il questionario",
                        "es": "Pasar el cuestionario"},
    "handover_done": {"en": "Recorded: {name} is now the contact person for this questionnaire.",
                      "it": "Registrato: {name} è ora la persona di riferimento per questo questionario.",
                      "es": "Registrado: {name} es ahora la persona de contacto para este cuestionario."},
    "download_pdf": {"en": "Download your answers (PDF)", "it": "Scarica le risposte (PDF)",
                     "es": "Descargar sus respuestas (PDF)"},
}


def pick(texts: dict | None, language: str | None = None) -> str:
    """The text of a language -> text mapping in that (else the active) language, falling back to English."""
    if not texts:
        return ""
    language = language or translation.get_language() or "en"
    return texts.get(language[:2]) or texts.get("en") or next(iter(texts.values()), "")


def t(key: str, language: str = "en", **values) -> str:
    text = pick(TEXTS[key], language or "en")
    return text.format(**values) if values else text
