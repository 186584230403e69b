"""The offline lead-note classifier: weighted Spanish/English cue phrases with negation scope.

No model, no network: the local runtime, brands without a provider key, and the fake providers
(infra/local/fake_providers.py) all use it. How it decides (docs/leads-classification.md):

1. The note is normalised (lower case, accents and apostrophes dropped, "siii" → "si", spaces).
2. Cue phrases are matched, longest/most specific groups first; a matched span is consumed, so
   "compró con la competencia" is one negative cue, not also a positive "compró".
3. A negatable cue preceded, within three words of its clause, by a negator ("no", "nunca",
   "ya no", "not", "didnt", …) flips: "no está interesado" is negative, "todavía no firma" partial.
4. Cues after a contrast ("pero", "aunque", "but", "al final") weigh 1.5×: the note's last word wins.
5. A no-contact cue (no contesta, buzón, busy…) makes the note unclassified unless the note also
   says a conversation happened ("hablé con", "devolvió la llamada") or a strong cue (weight 3)
   shows one did. An administrative note (nota interna, duplicado…) is unclassified the same way;
   a conversation with no outcome cue is partial (contact made, no decision); no cue at all →
   unclassified.
The reason quotes the deciding words as the operator wrote them, so anyone can see why and override.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from skailan.leads.classification.base import Classification, Outcome, clip

MODEL = "offline-rules-v1"
MAX_CHARS = 4000  # a longer note is read by its beginning and end

POS, NEG, PAR, NOC, CON, ADM = "positive", "negative", "partial", "no_contact", "contact", "admin"


@dataclass(frozen=True, slots=True)
class _Cue:
    pattern: re.Pattern[str]
    kind: str
    weight: float
    # What the cue becomes when negated (None: negation is ignored for it).
    negated: str | None = None
    negated_weight: float = 2.0


def _c(regex: str, kind: str, weight: float, negated: str | None = None, negated_weight: float = 2.0) -> _Cue:
    return _Cue(re.compile(rf"\b(?:{regex})\b"), kind, weight, negated, negated_weight)


# Object pronouns/articles that sit between a verb and its object in call notes.
_PR = r"(?:(?:le|la|lo|les|los|me|nos|se|el|un|una|al|a|su|sus|de|del|por|the|a|an|him|her|them|us|me|his|their)\s+)*"
_PEOPLE = (r"(?:esposa|esposo|marido|mujer|pareja|novia|novio|jefe|jefa|socio|socia|socios|gerente|gerencia|"
           r"papa|mama|papas|padres|familia|hijo|hija|junta|contador|contadora|abogado|director|directora|"
           r"dueno|duena|jefe directo|compras|finanzas|jermu|jerma|dona|senora|senor|vieja|viejo|wife|husband|boss|partner|partners|manager|board|"
           r"accountant|cfo|ceo|owner|family|spouse|team|equipo|legal|juridico|abogados|procurement|purchasing)")
_INFO = (r"(?:demo grabada|video demo|recorded demo|video|plan de pagos?|formas? de pago|medios de pago|"
         r"payment (?:plan|options)|samples?|muestras?|referencias|references|testimonios|case stud(?:y|ies)|"
         r"casos de exito|temario|syllabus|pensum|programa del curso|info|informacion|information|brochure|folleto|catalogo|catalog|cotizacion|cotizaciones|quote|"
         r"quotes|propuesta|proposal|precios?|prices?|pricing|tarifas?|rates|detalles|details|ficha tecnica|"
         r"portafolio|material|planes|plans|requisitos|requirements|condiciones|terms)")
_WHEN = (r"(?:mas tarde|luego|despues|manana|pasado manana|hoy|esta tarde|en la tarde|en la noche|en la manana|"
         r"el (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)|(?:lunes|martes|miercoles|jueves|viernes)|"
         r"la (?:otra|proxima) semana|la semana (?:que viene|entrante)|otro dia|en \w+ (?:dias|horas|minutos|semanas)|"
         r"later|tomorrow|today|this (?:afternoon|evening)|next week|on (?:monday|tuesday|wednesday|thursday|friday))")

# Order matters: earlier cues consume their span first (the specific before the general).
CUES: tuple[_Cue, ...] = (
    # -- the line, not the lead: a temporary outage of the number is no contact, not "not viable"
    _c(r"(?:fuera de servicio|apagado|no disponible) (?:momentaneamente|temporalmente|por ahora|por el momento)|"
       r"temporarily (?:out of service|unavailable)|pendiente (?:de )?(?:llamar|volver a llamar|contactar|marcar)",
       NOC, 2),
    _c(r"(?:programad[oa]|generad[oa]|cread[oa]|enviad[oa]|asignad[oa]) (?:por|desde) (?:el )?(?:sistema|crm|bot)",
       NOC, 2),
    # An internal/administrative note says nothing of the call, whatever it goes on to say.
    _c(r"(?:nota interna|internal note|nota administrativa|administrative note|nota admin)(?:[^\n]*\w)?", ADM, 2),
    _c(r"(?:revision|control) de calidad|quality (?:review|check|control)|auditoria|"
       r"(?:lead |registro |contacto )?duplicad[oa]|duplicate", ADM, 2),
    # -- CRM stage words operators paste
    _c(r"closed[ -]?lost|cerrad[oa] perdid[oa]", NEG, 3),
    _c(r"closed[ -]?won|cerrad[oa] ganad[oa]", POS, 3),
    # -- explicit double negatives and "not the decider" (before the negation machinery sees "no")
    _c(r"no (?:dijo|dice) (?:que )?no|didnt say no", PAR, 3),
    _c(r"no (?:es|era|soy) (?:el|la|quien) (?:que )?(?:decide|toma la decision)|not the decision maker|"
       r"(?:isnt|wasnt) the (?:one who decides|decision maker)|no (?:decide|puede decidir) (?:solo|sola|el|ella)",
       PAR, 3),
    _c(r"(?:todavia|aun|still) no (?:(?:lo|la|se)\s+)?(?:sabe|decide|define|ha decidido|esta seguro|esta segura)|"
       r"not (?:yet )?decided|hasnt decided|no (?:esta|estaba) (?:muy )?segur[oa]|not sure|unsure|undecided|indecis[oa]",
       PAR, 3),
    _c(r"decid\w* (?:que )?no|decided (?:not|against)|se arrepint\w*|changed (?:his|her|their) mind|"
       r"cambio de (?:opinion|parecer)|se echo para atras|backed out", NEG, 3),
    # -- do not call (before any "llamar" cue)
    _c(r"no (?:(?:lo|la|le|les|los|me|nos)\s+)?(?:vuelv\w*|volver|volvamos) a llamar|no (?:(?:lo|la|le|me|les)\s+)?"
       r"(?:llam\w*|contact\w*|molest\w*) (?:mas|nunca mas|de nuevo|otra vez)|que (?:ya )?no (?:(?:lo|la|le|les|me)\s+)?"
       r"(?:llamen|llamemos|contacten|molesten|vuelvan)|dej\w* de (?:llamar|molestar)|no molestar|no contactar|"
       r"do not (?:call|contact)|dont (?:call|contact)|dnc|stop calling|never call|not to call|"
       r"no (?:llamar|contactar|marcar)(?:lo|la|le)?(?= *(?:[.!]|mas\b|nunca\b|$))|"
       r"no (?:volver a )?ser (?:contactad|llamad|molestad)\w*|(?:pidio|solicito|quiere|pide|solicita) (?:la |darse de )?baja|no (?:(?:lo|la|le)\s+)?contacten|"
       r"(?:remove|take) (?:\w+ )?(?:off|from) (?:the |your |our )?(?:list|database)|"
       r"(?:sac|saqu|quit|borr|elimin|retir)\w*(?: (?:lo|la|le|los))? de (?:la |nuestra |su |sus )?"
       r"(?:lista|base|bd|registros)|"
       r"lista negra|blacklist", NEG, 3),
    # -- not viable
    _c(r"numero (?:equivocado|errado|incorrecto|invalido|malo|no existe|inexistente|no valido|de otra persona)|"
       r"equivoc\w*|no corresponde|wrong (?:number|person|contact)|no (?:es|era) (?:la persona|el titular|el cliente|"
       r"el numero|su numero)|no (?:lo|la|los) conoc\w*|no conoc\w* (?:a|al)|nobody by that name|no vive (?:ahi|alli|aca|en)|"
       r"(?:ya )?no trabaja (?:ahi|alli|en la empresa)|no longer works|no existe|does not exist|doesnt exist|"
       r"fuera de servicio|out of service|(?:no longer|not) in service|disconnected|desconectado|"
       r"fallec\w*|murio|passed away|deceased", NEG, 3),
    _c(r"fuera de (?:la |nuestra )?cobertura|sin cobertura|no (?:hay|tenemos|damos|llega(?:mos)?|llega el) "
       r"(?:servicio|cobertura)|no hay servicio (?:en|para)|out of (?:our )?(?:coverage|service area|area)|"
       r"no (?:le |les )?llega (?:la |el )?(?:cobertura|senal|servicio|internet)|"
       r"no (?:tenemos|hay|hacemos) (?:envio|envios|entregas?|despachos?)|"
       r"no (?:tiene|hay|llega) (?:red|senal|fibra)(?: de \w+)?|fuera del? (?:la )?(?:area|zona) de cobertura|no coverage|outside (?:our |the )?(?:coverage|service area)|no (?:cubrimos|llegamos)|zona no cubierta",
       NEG, 3),
    _c(r"(?:compr|contrat|adquiri|cerr|firm|adquir|se fue|se qued|quedo|se cambi|cambi|tiene contratad|tom|"
       r"inscrib|matricul|afili|suscrib|sac)\w*"
       r"(?: \w+){0,4}? (?:(?:con|en|a|por|de) (?:otr[oa]s?|la competencia|competencia)|otro lado|otra parte)|"
       r"(?:bought|purchased|signed|went|going|goes|stayed|go) (?:with |from )?(?:elsewhere|another|a competitor|"
       r"competitor|the competition|someone else|other)|"
       r"(?:ya |already )(?:tiene|cuenta con|trabaja con|maneja|tienen|has|have|uses|use|works with|working with) "
       r"(?:(?:un|una|otro|otra|su|a|an|another|their|other)\s+)?(?:proveedor|plan|servicio|seguro|empresa|agencia|"
       r"asesor|software|sistema|provider|vendor|supplier|solution|carro|vehiculo|credito|one|uno|una|contrato|"
       r"poliza|policy|insurance|internet|operador|banco|bank)|already (?:bought|purchased|signed)(?: \w+)? "
       r"(?:elsewhere|with another)|(?:con|de|en) la competencia|competitor|"
       r"(?:con|en|a) (?:la |el )?(?:aseguradora|financiera|cooperativa|entidad|compania) de(?:l)? (?:su |el )?banco|"
       r"(?:prefiere |decidio |va a )?quedarse con (?:su|el|la)|se queda con su|no se (?:cambia|va a cambiar)|"
       r"(?:not|wont|isnt) switching|stay(?:ing)? with (?:their|his|her|the current)|"
       r"no (?:esta|estan) buscando|went with (?:a |an |the )?(?:\w+ )?(?:vendor|provider|company|competitor|option|"
       r"supplier|agency)|not looking (?:for|to)|acaba(?:n)? de (?:comprar|contratar|adquirir)|just bought",
       NEG, 3),
    _c(r"no (?:(?:tiene|tenia|cuenta con|hay|dispone de)\s+)(?:el |los )?(?:presupuesto|plata|dinero|lana|"
       r"recursos|fondos|como pagar)|sin (?:presupuesto|plata|dinero|lana|recursos)|no budget|no money|"
       r"(?:cant|cannot|could not|couldnt) afford|no (?:le |les )?alcanza|no (?:califica|aplica|cumple)|"
       r"(?:doesnt|does not|didnt) qualify|not eligible|no (?:es|era) viable|not viable|"
       r"(?:le |les )?(?:negaron|rechazaron) (?:el |la |su )?(?:credito|prestamo|financiacion)|"
       r"reportad[oa] en (?:datacredito|centrales|buro)|bad credit|credit (?:denied|rejected)|"
       r"no (?:(?:lo|la|le)\s+)?(?:necesita|necesitan|ocupa|ocupan|sirve|requiere)|dont need|doesnt need|"
       r"no (?:tiene|tienen|hay) (?:necesidad|need)|no pas\w* (?:el |la )?(?:estudio|filtro|analisis|evaluacion)|"
       r"ya (?:tiene|tienen|tenian|tenia|esta|estan) (?:todo )?resuelto|cerr\w* (?:el|la|su) (?:local|negocio|empresa|tienda|oficina)|"
       r"no (?:operamos|cubrimos|atendemos|vendemos|tenemos presencia|hacemos envios)|"
       r"(?:we )?(?:dont|do not) (?:operate|ship|serve)|"
       r"no need|no (?:podemos|puedo|se puede|se le puede) (?:atender|vender|ofrecer|asegurar|financiar|"
       r"instalar|cubrir)\w*|not a (?:good )?fit|no (?:es|era) (?:un |el )?(?:buen )?(?:perfil|fit|candidato)|"
       r"no encaja|not qualified|unqualified|no calificad[oa]|descalificad\w*|definitivamente no|"
       r"no insist\w*|no (?:hay|tiene) caso|no hay (?:forma|manera)|dej\w* en paz|leave (?:him|her|them|me) alone|"
       r"no,? no\b|no y no|(?:hard|flat|firm|clear|rotundo) no|(?:gave|got) (?:a |us a |me a )?no\b|no rotundo|"
       r"not for (?:them|him|her|me|us)|no es para (?:el|ella|ellos|ellas|mi|nosotros)|"
       r"nunca (?:se )?(?:registr|inscrib|pidi|solicit)\w*|never (?:signed up|registered|asked|requested)|^no(?=[.! ]*$)|congel\w* (?:las |todas las )?compras|(?:budget|spending) freeze",
       NEG, 3),
    _c(r"no (?:(?:le|les|me|nos)\s+)?(?:interesa|interesan|intereso|interesaba)|sin interes|"
       r"no (?:hay|tiene|tienen|muestra|mostro) (?:ningun |mucho )?interes|desinteresad\w*|"
       r"no (?:(?:esta|estan|estaba|estaban|is|was|are|were)\s+)?(?:muy |really |very )?interesad\w*|"
       r"not interested|no interest|uninterested|(?:isnt|wasnt|arent|werent) (?:really )?interested|"
       r"lost interest|perdio (?:el )?interes", NEG, 3),
    _c(r"no (?:(?:lo|la|le)\s+)?(?:quiere|quiso|quieren|desea|deseaba|queria)|(?:doesnt|didnt|does not|did not) want|"
       r"wont (?:buy|sign|pay|proceed)|(?:rechaz|declin|refus)\w*|no,? gracias|no,? thanks?(?: you)?|"
       r"(?:dijo|dice|respondio|contesto|said|says|answered) (?:que )?(?:no|nope)|para nada|ni loco|ni loca|"
       r"de ninguna manera|no way|\bnel\b|no le late|ni de chiste|no le copa|ni en pedo|"
       r"(?:no|not) (?:esta|is) (?:interesado|interesada) en (?:nada|nothing)|"
       r"cancel\w*|se dio de baja|darse de baja|unsubscrib\w*|(?:lead|oportunidad|venta|negocio) perdid[oa]|"
       r"se perdio (?:la venta|el cliente|el negocio)|lost (?:the )?(?:deal|lead|sale)|"
       r"(?:colg\w*|(?:me|nos) cort\w*|hung up|hangs up)|descartad\w*|cerrad[oa] (?:sin|como) (?:venta|perdid)\w*",
       NEG, 3),
    _c(r"(?:[,;:] )no(?= *[.!]*$)|(?:muy |demasiado |bastante |too |very )?car[oa]|too expensive|expensive|costoso|costosa|"
       r"estafa|scam|spam|fraude|grosero|grosera|insult\w*|rude|molest[oa]|enojad[oa]|angry|furious|bravo|brava",
       NEG, 2),
    # -- positive intent, before "decidió"/"va a" are read as thinking
    _c(r"debito automatico|domiciliacion|autoriz\w* (?:el |un |la )?(?:debito|cargo|cobro|descuento)|"
       r"contratad[oa]|contrataron|contratamos|(?:envi|mand)\w* (?:los |sus )?(?:accesos|credenciales)|"
       r"desembols\w*|disbursed|(?:dio|dieron|da|gave)(?: \w+)? (?:el |the )?(?:ok|visto bueno|green light|go[- ]ahead)|"
       r"luz verde|(?:hes|shes|theyre|were) in\b|paperwork", POS, 3, NEG, 2),
    # Approval given (past) is a step forward; approval needed (below) is not yet.
    _c(r"(?:le |les )?(?:aprobo|aprobaron|aprobado|aprobada|approved)(?! by)", POS, 2, NEG, 2),
    _c(r"(?:compr|contrat|adquir|firm|pag|inscrib|matricul|suscrib|reserv|agend|apart|separ)\w* (?:hoy|ya|de una)|"
       r"(?:quiere|quieren|desea|decidio|decide|(?:tiene )?(?:intencion|ganas|planes?) de|va a|van a|lo va a|la va a|quedo en|se decidio por|decidio|acepto|listo para|"
       r"dispuest[oa] a|wants to|want to|ready to|agreed to|decided to|will|is going to|going to) "
       r"(?:\w+ )?(?:comprar|contratar|adquirir|firmar|pagar|tomar|llevar|inscribir\w*|matricular\w*|afiliar\w*|"
       r"arrancar|empezar|comenzar|avanzar|cerrar|buy|purchase|sign|pay|proceed|move forward|go ahead|start|"
       r"enroll|subscribe|book|close|order)|let'?s do it|go ahead|move forward|seguimos adelante|"
       r"va que va|sale y vale|(?:dijo|dice|respondio|contesto|cuento|confirmo|confirma|comenta|comento|said|says) (?:que )?(?:si|yes|ok|okay|dale|de una)|"
       r"(?:cerr|compr|contrat|firm|qued)\w* con nosotros|(?:llamada|venta|gestion) exitosa|"
       r"venta (?:ok|exitosa|realizada|hecha|lista)", POS, 3, NEG, 3),
    # -- asking how to pay or sign is asking to pay or sign
    _c(r"(?:pregunt\w*|consult\w*|asked|asks|wants to know) (?:por )?(?:como|donde|a que cuenta|how|where|when) (?:to )?"
       r"(?:pagar|pago|consignar|transferir|firmar|comprar|hacer el pago|inscribir\w*|pay|sign|buy|make the payment)",
       POS, 3, NEG, 2),
    # -- partial: talked, no decision. A question is information wanted, whatever it is about
    # ("quiere saber si hay descuento por pago de contado" has not paid): it takes its clause.
    _c(r"(?:quiere saber|quieren saber|pregunt\w*|consult\w* (?:si|por|cuanto|como)|asked (?:about|if|whether|how)|"
       r"asks (?:about|if|whether|how)|wants to know|wanted to know)[^.;!?\n]*", PAR, 2, NEG, 2),
    _c(r"(?<!para )(?<!so )que (?:(?:le|lo|la|les|me)\s+)(?:llame\w*|marque\w*|escrib\w*|contact\w*|busque\w*|devuelv\w*)",
       PAR, 3, NEG, 3),
    _c(r"(?:pid\w*|pide|dijo|dice|quiere|solicit\w*|prefiere que|asked|asks|wants|told me|said) (?:que )?(?:(?:lo|la|le|"
       r"les|me|to|us|him|her|me)\s+)?(?:llam\w*|contact\w*|marqu\w*|escrib\w*|call\w*|reach out|text|devuelv\w*)|"
       r"(?:llamame|call me|me llamas|me llaman|me marcas|hablamos) " + _WHEN + r"|"
       r"asked for a call ?back|requested a call ?back", PAR, 3, NEG, 3),
    # A meeting or demo without a date is not booked yet.
    _c(r"(?:no|todavia no|aun no) (?:tiene|hay) fecha|sin fecha|no date yet", PAR, 3),
    _c(r"circle back|touch base|reach out (?:again|later|in)|\bq[1-4]\b|hacer (?:cuentas|numeros)|sacar cuentas|"
       r"(?:va a |quiere )?ver si|see (?:if|whether)|(?:see|check|review|try) (?:a |the )?(?:\w+ ){0,2}first|"
       r"(?:ver|revisar|probar|conocer) (?:\w+ ){1,3}(?:antes|primero)(?: de \w+)?|"
       r"(?:antes|primero) de (?:decidir|comprar|firmar|pagar|inscribir\w*|matricular\w*|contratar|cerrar|afiliar\w*)|"
       r"(?:lo|la) (?:tiene|tendra) en cuenta|keep (?:us|it) in mind|"
       r"(?:ver |revisar )?lo de(?:l| la)? (?:lana|plata|guita|feria|presupuesto|dinero|credito|financiacion)|"
       r"(?:pasar|venir|ir) (?:por|a) (?:la |el )?(?:tienda|local|oficina|sede|showroom|concesionario|agencia)",
       PAR, 2, NEG, 2),
    _c(r"(?:esta|estaba|was|is) (?:en (?:una )?(?:reunion|junta|clase|el trabajo)|manejando|conduciendo|trabajando|"
       r"in a meeting|driving|at work)|no (?:puede|podia) hablar|(?:couldnt|cannot|cant|could not) talk", PAR, 2),
    _c(r"agend\w* (?:(?:una|otra|la|nueva)\s+)?(?:llamada|rellamada|seguimiento|callback|call ?back)|"
       r"scheduled (?:a )?(?:call ?back|follow[ -]?up)|(?:volver|vuelva|vuelvo|volvere|volveremos|volvemos) a "
       r"(?:llamar|marcar|intentar|contactar)|re-?llamar|rellamada|recontactar|devolver (?:la )?llamada|"
       r"(?:llamar|marcar|contactar|llamo|llamare|llamamos|llamaremos) (?:(?:le|la|lo)\s+)?(?:de nuevo|nuevamente|"
       r"otra vez|" + _WHEN[3:-1] + r")|call (?:\w+ )?(?:back|again|later|tomorrow|next week)|callback|"
       r"follow[ -]?up|seguimiento|retomar|try again|intentar de nuevo|pendiente", PAR, 1, NEG, 3),
    _c(r"(?:(?:lo|la)\s+)?(?:va|van|vamos|voy) a pensar|(?:lo|la) (?:esta )?(?:pens|piens)\w*|pensar(?:lo|la)|pensandolo|"
       r"(?:think|thinking|thinks) (?:about it|it over)|thinking|think it over|consider\w*|evalu\w*|analiz\w*|"
       r"estudiar(?:lo|la)?|(?:lo|la) (?:va a )?estudi\w*|(?:lo|la|los|las) (?:esta |estan )?(?:mir|chequ)\w*|"
       r"averigu\w*|investig\w*|looking around|revis\w*|review\w*|(?:va|vamos) a ver|let me see|"
       r"(?:lo|la) (?:va a )?(?:ver|consultar|decidir|definir)|consultar(?:lo|la)|consultarlo con|decid\w*|definir|tal vez|quizas?|maybe|a lo mejor|"
       r"capaz|depende|se lo va a|compar\w*|(?:otras )?opciones|other options|(?:mas )?(?:economico|barato)|"
       r"cheaper|quedo (?:de|en) (?:avisar|confirmar|responder|contestar|revisar|pensar|llamar|escribir)\w*|"
       r"(?:nos|me|le) (?:avisa|avisara|confirma|confirmara)|let (?:me|us) know|get back to|cotizando|shopping around|"
       r"no (?:ha|han) (?:decidido|definido)|pendiente de (?:respuesta|confirmar)|waiting for|esperando",
       PAR, 3),
    _c(r"(?:consult\w*|hablar\w*|habla|hablarlo|comentar\w*|preguntar\w*|discut\w*|check\w*|talk\w*|discuss\w*|ask|asks|asking|charl\w*|platic\w*|"
       r"conversar\w*|"
       r"run it by|run this by|ver) (?:it over |it through )?(?:lo |la |le )?(?:con|with|a|to)? ?(?:su|el|la|sus|los|his|her|their|the)? ?" + _PEOPLE + r"|"
       r"(?:aprob\w*|aprueb\w*|autoriz\w*|approval|approve\w*|sign[- ]off|visto bueno|"
       r"(?:que|para que) (?:su|el|la) \w+ (?:firme|apruebe|autorice))|"
       r"(?:reunion|meeting|junta) (?:con|with) (?:su |el |la |los |sus |his |her |their |the )?" + _PEOPLE + r"|"
       r"(?:needs|need|necesita|depende de|depends on) (?:de |on )?(?:su|el|la|his|her|their|the)? ?" + _PEOPLE,
       PAR, 3),
    _c(r"(?:pid\w*|pide|quiere|quiso|solicit\w*|requested|asked for|asks for|wants|want|interesad\w* en|"
       r"necesita|le (?:envie|envio|mande|mando|pase|paso|enviamos|mandamos|comparti)|enviar(?:le)?|mandar(?:le)?|"
       r"send|sent|email(?:ed)?|share|shared|pasar(?:le)?|compartir(?:le)?) "
       + _PR + r"(?:\w+ ){0,2}" + _INFO + r"|mas informacion|more info(?:rmation)?|quiere saber|wants to know|"
       r"pregunt\w* (?:por|sobre|el|la|los|las|cuanto|si|about|how|whether)|asked (?:about|how|whether|if)|"
       r"dudas|questions|objecion\w*", PAR, 2, NEG, 2),
    _c(r"(?:muy |super |bastante |very |really )?interesad[oa]s?|(?:le|les|me) interes\w*|interested|"
       r"(?:le|les) (?:gusto|gusta|encanto|late|copo|copa|cuadra|cuadro|llamo la atencion|parecio (?:bien|interesante|buena))|liked|loved|"
       r"(?:mas adelante|later on|proximo (?:mes|ano)|el (?:mes|ano) que viene|next (?:month|year|quarter)|"
       r"fin de mes|quincena|cuando (?:le|les) paguen|payday|despues de (?:las )?(?:fiestas|vacaciones)|"
       r"after (?:the )?holidays|en (?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|"
       r"noviembre|diciembre))", PAR, 2, NEG, 3),
    _c(_INFO, PAR, 1),
    # -- positive: the lead advanced
    _c(r"(?:lo|la|los|las) quiere(?:n)?", POS, 2, NEG, 2),
    _c(r"compr(?:o|a|ar|aron|ado|ada|amos|aria|e|ando|ra)|(?:hizo|realizo|realizamos|cerro|cerramos|cerre) "
       r"(?:(?:la|el|un|una)\s+)?(?:compra|venta|pedido|negocio|trato)|venta cerrada|cerrad[oa] ganad[oa]|"
       r"closed (?:the )?(?:deal|sale)|deal (?:closed|won)|bought|purchased|purchase|ordered|placed (?:an |the )?order|"
       r"vendid[oa]|se vendio|vendi|vendimos|vendio|sold|se (?:(?:lo|la|los|las)\s+)?llev\w*|se queda con (?:el|la)|"
       r"(?:coordin|program|agend)\w* (?:la |una |el )?(?:instalacion|entrega|visita|capacitacion|implementacion)|"
       r"ganad[oa]|won|acept\w*|agreed|accepted|accepts|agrees|(?:esta )?de acuerdo|"
       r"le (?:parecio|parece) (?:bien|perfecto|excelente)|on board|confirm\w*|comprometi\w*|committed",
       POS, 3, NEG, 2),
    _c(r"agend\w*|(?:una |la |de )?(?:reunion|cita|demo|demostracion|videollamada|visita|meeting|"
       r"appointment|zoom|meet)(?: agendad[oa]| programad[oa]| confirmad[oa])?|booked|book(?:ed)? a|scheduled|"
       r"programamos|programo|quedamos (?:el|para)|quedo para|nos vemos", POS, 3, NEG, 2),
    _c(r"(?:link|enlace|liga|boton|datos|numero de cuenta|cuenta) (?:de|para) (?:pago|pagar|transferencia|consignar)|"
       r"payment link|pay(?:ment)? (?:link|details)|pag(?:o|a|ar|ara|ue|uen|ado|aron|amos|ara|aria|ando)|pagos|"
       r"payment|paid|pays|pay|deposit\w*|deposito|transfer(?:encia|io|irá|ira)|consign\w*|abon\w*|anticipo|"
       r"enganche|cuota inicial|down payment|factur\w*|invoice\w*|checkout|tarjeta de credito|"
       r"firm(?:o|a|ar|ara|e|en|aron|ado|ada|amos)|sign(?:ed|s|ing)?|signed up|contrato|contract|"
       r"inscri\w*|matricul\w*|suscri\w*|subscribed|enroll\w*|registr\w* (?:en|al|para) (?:el |la )?"
       r"(?:curso|plan|programa|evento)|afili\w*|reserv\w*|aparto|separo (?:el|la|su)|pedido|orden de compra|"
       r"activ\w* (?:el|la|su) (?:plan|servicio|cuenta|linea)|start(?:ed)? (?:the )?(?:trial|service)|"
       r"onboarding|alta", POS, 3, NEG, 2),
    # -- a conversation happened (turns off no-contact)
    _c(r"(?:contesto|contesta|atendio|atiende|respondio|responde|cogio|agarro|levanto)(?: (?:el|la) "
       r"(?:cliente|senor|senora|lead|titular))?|hable con|hablamos|hablo conmigo|converse|conversamos|"
       r"spoke (?:with|to)|talked (?:with|to)|we talked|answered|picked up|devolvio (?:la |mi )?llamada|"
       r"returned (?:my |the )?call|called (?:me |us )?back|me llamo|nos llamo|llamo (?:el|la) (?:cliente|lead)|"
       r"(?:le|se le) (?:explique|explico|presente|presento|ofreci|ofrecio|comente|conte)|explained|pitched|"
       r"presented|offered",
       CON, 0, NOC, 2),
)

# No-contact cues are matched after the conversation cues have consumed their spans.
NO_CONTACT: tuple[_Cue, ...] = (
    _c(r"(?:contesto|contesta|atendio|atiende|respondio|answered) (?:un |una |el |la |su |his |her |the |a )?"
       r"(?:familiar|esposa|esposo|hijo|hija|mama|papa|hermano|hermana|secretaria|empleada|asistente|recepcion\w*|"
       r"ninera|nana|abuel[oa]|ti[oa]|sobrin[oa]|vecin[oa]|portero|porteria|conserje|vigilante|muchacha|nanny|"
       r"housekeeper|babysitter|contestadora|maquina|robot|grabacion|"
       r"otra persona|alguien|nina|nino|wife|husband|son|daughter|assistant|receptionist|someone|somebody)|"
       r"(?:wife|husband|son|daughter|assistant|receptionist|someone else) (?:answered|picked up)|"
       r"no (?:(?:se\s+)?(?:encuentra|encontraba|estaba)|esta (?:en casa|disponible|ahi|alli))|not (?:at )?home|"
       r"(?:wasnt|isnt|not) (?:available|in)|no (?:esta|estan|estaba|estaban)(?=\s*(?:[.,;!?]|$))", NOC, 2),
    _c(r"no (?:(?:me|nos)\s+)?(?:contest\w*|respond\w*|atend\w*|atiend\w*|coge|cogio|cogen|agarra\w*|agarro|"
       r"levant\w*|devuelve|devolvio)|nadie (?:contest\w*|atiend\w*|atendio|respond\w*)|(?:sin|no hubo|no hay) "
       r"respuesta|no answer|unanswered|(?:did not|didnt|does not|doesnt|no one|nobody) (?:answer\w*|pick\w* up|respond\w*)|"
       r"\bnc\b|n/c|s/r|buzon\w*|correo de voz|mensaje de voz|contestadora|voice ?mail|\bvm\b|"
       r"(?:left|dejo|deje|dejamos) (?:(?:a|un|el)\s+)?(?:message|msg|mensaje|recado|vm)|ocupad[oa]|busy|"
       r"apagad[oa]|fuera del area|timbr\w*|repic\w*|suena y suena|ring\w*|rang|no (?:hay|habia|da) tono|"
       r"(?:se )?(?:corto|cayo) la llamada|call dropped|dropped|no (?:se )?(?:pudo|logro|logre|pude|puedo) "
       r"(?:contactar|comunicar|hablar|localizar|ubicar)|(?:could not|couldnt|cant|cannot|unable to) "
       r"(?:reach|get through|contact|get hold)|unreachable|not reachable|ilocalizable|inubicable|"
       r"sin contacto|no contact", NOC, 2),
)

_NEGATORS = frozenset({"no", "nunca", "jamas", "tampoco", "ni", "not", "never", "dont", "doesnt", "didnt", "wont",
                       "isnt", "wasnt", "arent", "werent", "cant", "cannot", "havent", "hasnt", "couldnt", "nadie"})
_STILL = frozenset({"todavia", "aun", "still", "yet"})
_CONTRAST = re.compile(r"\b(?:pero|aunque|sin embargo|but|however|although|though|al final|finalmente|"
                       r"in the end|eventually|ultimately|igual|mas bien|en cambio)\b")
_CLAUSE = re.compile(r"[.,;:!?\n]|\b(?:y luego|and then|despues)\b")
_WORD = re.compile(r"[a-z0-9/]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_ABBREV = {
    "q": "que", "k": "que", "xq": "porque", "pq": "porque", "porq": "porque", "tb": "tambien", "tmb": "tambien",
    "x": "por", "d": "de", "msj": "mensaje", "msg": "mensaje", "cel": "celular", "tel": "telefono",
    "ws": "whatsapp", "wsp": "whatsapp", "wpp": "whatsapp", "wa": "whatsapp", "mna": "manana",
    "mnn": "manana", "sr": "senor", "sra": "senora", "cte": "cliente", "clte": "cliente", "ud": "usted",
    "tqm": "", "pls": "please", "plz": "please", "u": "you", "ur": "your", "tmrw": "tomorrow", "tmr": "tomorrow",
    "2morrow": "tomorrow", "asap": "pronto", "intersado": "interesado", "intresado": "interesado",
    "interesao": "interesado", "interezado": "interesado", "interesda": "interesada", "nointeresado": "no interesado",
    "yano": "ya no", "nose": "no se", "nocontesta": "no contesta", "contexta": "contesta",
    "bozon": "buzon", "buson": "buzon", "busson": "buzon", "ajendo": "agendo",
    "ajendar": "agendar", "ajenda": "agenda", "yamar": "llamar", "yamo": "llamo",
    "yame": "llame", "yamen": "llamen", "llamr": "llamar", "intereza": "interesa",
    "interessa": "interesa", "intrested": "interested", "interseted": "interested",
    "intersted": "interested", "pensalo": "pensarlo", "pensra": "pensar",
    "cb": "callback", "dm": "mensaje", "ntp": "", "oki": "ok", "okey": "ok",
    "dijoq": "dijo que", "dijque": "dijo que", "dise": "dice", "nop": "no", "nope": "no",
    "sip": "si", "sii": "si", "simon": "si",
}


def normalise(text: str) -> str:
    return _normalise(text)[0]


def _normalise(text: str) -> tuple[str, list[int]]:
    """The normalised note and, for each of its characters, the index of the original character it
    came from (so a reason can quote the operator's own words)."""
    chars: list[tuple[str, int]] = []
    for index, original in enumerate(text):
        if original in "'’´`":  # "don't" → "dont"
            continue
        for ch in unicodedata.normalize("NFKD", original.lower()):
            if not unicodedata.combining(ch):
                chars.append((ch, index))
    # "siiii" → "si": a run of three or more of one letter keeps one.
    collapsed: list[tuple[str, int]] = []
    for position, (ch, index) in enumerate(chars):
        run = ch.isalpha() and ch.isascii() and (
            (position >= 1 and chars[position - 1][0] == ch and position + 1 < len(chars) and chars[position + 1][0] == ch)
            or (position >= 2 and chars[position - 1][0] == ch == chars[position - 2][0]))
        if run and collapsed and collapsed[-1][0] == ch:
            continue
        collapsed.append((ch, index))
    plain = "".join(ch for ch, _ in collapsed)
    # Abbreviations and common typos, word by word; punctuation stays (it bounds clauses).
    out: list[tuple[str, int]] = []
    last = 0
    for match in re.finditer(r"[a-z0-9/]+", plain):
        out.extend(collapsed[last:match.start()])
        word = match.group(0)
        replacement = _ABBREV.get(word, word)
        if replacement == word:
            out.extend(collapsed[match.start():match.end()])
        else:
            first, final = collapsed[match.start()][1], collapsed[match.end() - 1][1]
            out.extend((ch, first if i < len(replacement) - 1 else final) for i, ch in enumerate(replacement))
        last = match.end()
    out.extend(collapsed[last:])
    # Runs of spaces and tabs → one space; no leading or trailing blanks.
    squeezed: list[tuple[str, int]] = []
    for ch, index in out:
        if ch in " \t" and (not squeezed or squeezed[-1][0] == " "):
            continue
        squeezed.append((" " if ch == "\t" else ch, index))
    while squeezed and squeezed[-1][0] in " \n":
        squeezed.pop()
    while squeezed and squeezed[0][0] == "\n":
        squeezed.pop(0)
    return "".join(ch for ch, _ in squeezed), [index for _, index in squeezed]


@dataclass(slots=True)
class _Hit:
    kind: str
    weight: float
    words: str
    negated: bool = False


class OfflineClassifier:
    model = MODEL

    def classify(self, texts: Sequence[str]) -> list[Classification]:
        return [classify_one(text) for text in texts]


def _negation(text: str, start: int, consumed: list[tuple[int, int]]) -> tuple[bool, bool]:
    """(negated, "still/yet" negation) for a cue starting at `start`: a negator among the three
    words before it in the same clause, not itself part of another cue (`consumed`) — except a
    refusal, which governs what follows ("no quiso agendar")."""
    clause_start = 0
    for boundary in _CLAUSE.finditer(text, 0, start):
        clause_start = boundary.end()
    words = [m for m in _WORD.finditer(text, clause_start, start)][-3:]
    for index, word in enumerate(words):
        if word.group(0) in _NEGATORS and not any(a <= word.start() < b for a, b in consumed):
            before = words[index - 1].group(0) if index else ""
            after = [w.group(0) for w in words[index + 1:]]
            still = before in _STILL or "yet" in after or (index == 0 and _still_before(text, clause_start, word.start()))
            return True, still
    return False, False


def _still_before(text: str, clause_start: int, at: int) -> bool:
    previous = [m.group(0) for m in _WORD.finditer(text, clause_start, at)][-1:]
    return bool(previous) and previous[0] in _STILL


def classify_one(text: str) -> Classification:
    source = clip(text or "", MAX_CHARS)
    norm, origin = _normalise(source)
    if not norm:
        return Classification(Outcome.UNCLASSIFIED, MODEL, "nota vacía / empty note")
    contrasts = [m.start() for m in _CONTRAST.finditer(norm)]
    consumed: list[tuple[int, int]] = []
    # Spans whose "no" belongs to their own cue (no contesta, no dijo que no…), not to the next one.
    shielded: list[tuple[int, int]] = []
    hits: list[_Hit] = []

    def scan(cues: tuple[_Cue, ...]) -> None:
        for cue in cues:
            for match in cue.pattern.finditer(norm):
                start, end = match.span()
                if start == end or any(start < b and a < end for a, b in consumed):
                    continue
                consumed.append((start, end))
                if cue.kind != NEG:
                    shielded.append((start, end))
                kind, weight, negated = cue.kind, cue.weight, False
                if cue.negated is not None:
                    negated, still = _negation(norm, start, shielded)
                    if negated:
                        kind, weight = (PAR, 2.0) if still and cue.kind == POS else (cue.negated, cue.negated_weight)
                if any(c < start for c in contrasts):
                    weight *= 1.5
                # The operator's own words, as written (accents, case), for the reason.
                hits.append(_Hit(kind, weight, source[origin[start]:origin[end - 1] + 1], negated))

    # Conversation cues, then no-contact ("no contesta"), then contact ("contestó"): each consumes its span.
    scan(CUES[:-1])
    scan(NO_CONTACT)
    scan(CUES[-1:])
    talk = [h for h in hits if h.kind in (POS, NEG, PAR)]
    contact = any(h.kind == CON for h in hits)
    no_contact = [h for h in hits if h.kind == NOC]
    admin = [h for h in hits if h.kind == ADM]
    if admin and not any(h.weight >= 3 for h in talk):
        return Classification(Outcome.UNCLASSIFIED, MODEL, "nota administrativa / administrative note: " + _quote(admin))
    if no_contact and not contact and not any(h.weight >= 3 for h in talk):
        return Classification(Outcome.UNCLASSIFIED, MODEL, "sin contacto / no contact: " + _quote(no_contact))
    if not talk and contact:
        # Someone was talked to and nothing was decided: the definition of partial.
        return Classification(Outcome.PARTIAL, MODEL, "hubo contacto sin decisión / contact made, no decision: "
                              + _quote([h for h in hits if h.kind == CON]))
    if not talk:
        return Classification(Outcome.UNCLASSIFIED, MODEL,
                              "ninguna palabra de resultado / no outcome words in the note")
    scores = {POS: 0.0, NEG: 0.0, PAR: 0.0}
    for hit in talk:
        scores[hit.kind] += hit.weight
    # Ties: a refusal outweighs interest, a concrete step outweighs "thinking".
    best = max((NEG, POS, PAR), key=lambda kind: scores[kind])
    deciding = [h for h in talk if h.kind == best]
    return Classification(Outcome(best), MODEL, _quote(deciding))


def _quote(hits: list[_Hit]) -> str:
    seen: list[str] = []
    for hit in hits:
        label = f"«{hit.words}»" + (" (negado / negated)" if hit.negated else "")
        if label not in seen:
            seen.append(label)
    return ", ".join(seen[:5])
