"""The opt-out link of invitation e-mails: a confirmation page, then one POST that records it."""
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from surveys.answering.views import token_view
from surveys.fieldwork.mailing import optout_record
from surveys.models import OptOut

TEXTS = {
    "title": {"en": "No more e-mails about this survey", "it": "Nessun'altra e-mail su questa indagine",
              "es": "No recibir más correos sobre esta encuesta"},
    "ask": {"en": "If you do not wish to take part, confirm below and we will not write to you again about "
                  "this survey.",
            "it": "Se non desiderate partecipare, confermate qui sotto e non vi scriveremo più per questa indagine.",
            "es": "Si no desea participar, confirme abajo y no le volveremos a escribir sobre esta encuesta."},
    "reason": {"en": "Reason (optional)", "it": "Motivo (facoltativo)", "es": "Motivo (opcional)"},
    "confirm": {"en": "Stop e-mails", "it": "Non inviate altre e-mail", "es": "No enviar más correos"},
    "done": {"en": "Done: you will receive no more e-mails about this survey. Thank you.",
             "it": "Fatto: non riceverete altre e-mail su questa indagine. Grazie.",
             "es": "Hecho: no recibirá más correos sobre esta encuesta. Gracias."},
}


@csrf_exempt  # the personal token is the credential; RFC 8058 one-click POSTs carry no CSRF cookie
@require_http_methods(["GET", "POST"])
@token_view
def optout(request, token, invitation, response):
    language = response.language if response.language in TEXTS["title"] else "en"
    texts = {k: v[language] for k, v in TEXTS.items()}
    done = OptOut.objects.filter(invitation=invitation).exists()
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        optout_record(invitation=invitation, via=OptOut.Via.ONE_CLICK if one_click else OptOut.Via.LINK,
                      reason=request.POST.get("reason", ""))
        done = True
    return render(request, "fieldwork/optout.html", {"texts": texts, "done": done, "token": token,
                                                     "language": language, "firm": invitation.firm})
