# Texts the engine itself uses, in every dialog.

greeting = Good { $waktu }. Welcome to the one-door public service of Penajam Paser Utara Regency.
greeting-salam = Wa'alaikumsalam. Good { $waktu }. Welcome to the one-door public service of Penajam Paser Utara Regency.
time-pagi = morning
time-siang = afternoon
time-sore = afternoon
time-malam = evening

privacy-notice = *Privacy notice*
    The Penajam Paser Utara Regency Government processes the data you send (such as your NIK, family card number, document photos, location) only to handle your application, complaint or report and to keep you informed of its status. Legal basis: carrying out public-service duties (Law No. 27 of 2022).
    Data is passed only to the agency handling it and is stored in Indonesia. Messages also pass through WhatsApp/Telegram.

menu-intro = Please choose a service:
menu-hint = Type the service *number*, or write what you need (for example *lost ID card*). Type *help* for instructions.
not-understood = Sorry, we did not understand that message.
clarify-which = To be sure we help with the right thing: which service do you mean?
clarify-hint = Type the option *number*, or *menu* to see every service.
elsewhere-intro = Sorry, that service is not handled by the regency government.

help = *Help*
    Choose a service from the list below. Other commands:
    - *status*: see your applications
    - *language*: choose a language (Indonesia/English)
    - *my data* / *delete my data*: see or delete your data
    If a life is in danger, call *112* now.
# Help in the middle of a form: { $jawab } says how to answer the question being asked.
help-in-flow = *Help*
    For this question, { $jawab }
help-answer-text = type your answer in one message.
help-answer-number = type just the number, for example *2*.
help-answer-date = type the date, for example *17-08-1990*.
help-answer-choice = type the *number* of an option (for example *1*) or tap its button.
help-answer-yesno = type *yes* or *no*, or tap a button.
help-answer-photo = send a *photo*: tap the attachment icon (📎), then Camera or Gallery.
help-answer-document = send a *document* (PDF) or a photo of it with the attachment icon (📎).
help-answer-location = send a *location*: tap the attachment icon (📎), then Location.
help-answer-summary = type *yes* to send, or *edit* with the number or name of an answer to correct it (for example *edit 2* or *edit name*).
help-skip = This question is optional: type *skip* to skip it.
help-commands = Other commands:
    - *back*: repeat the previous question
    - *cancel*: cancel this application
    - *menu*: back to the list of services
    - *status*: see your applications
    - *my data* / *delete my data*: see or delete your data
thanks-reply = You are welcome. We hope this helps.
session-expired = Sorry, the unfinished application was closed because there was no reply for a while. Please start again.
resume-ask =
    Welcome back. Your { $layanan } application is not finished yet ({ $jumlah } answers saved).
    Type *1* to continue, or *2* to start again from the beginning.
draft-reminder =
    Reminder: your { $layanan } application is not finished yet ({ $jumlah } answers saved). The draft is kept until { $tanggal } and deleted after that.
    Type *1* to continue, or *2* to start again from the beginning.
resume-continue = Continue
resume-restart = Start again
resume-continued = Fine, let us continue.
resume-restarted = Fine, the earlier answers have been deleted. Let us start from the beginning.
resume-which = Please type *1* to continue your application, or *2* to start again.
script-updated = Sorry, this service's form has just been updated. Please start again from the menu.
empty-input = Sorry, your message is empty. Please type your answer.
unsupported-media = Sorry, we cannot receive stickers, voice messages or videos yet. Please send text, a photo, a document or a location.
stuck = There seems to be a problem. Type *help* for instructions or *menu* for the list of services.
continue-with = Let us continue.

cancel-confirm = The answers you have given will be deleted. Do you really want to cancel this application?
cancelled = All right. The application has been cancelled.
cancel-kept = All right, the application continues.
switched = The previous application is cancelled. Let us start { $layanan }.
nothing-to-cancel = There is no application being filled in.
back-at-start = This is the first question. We are back at the list of services.
skip-not-allowed = Sorry, this question must be answered.
choice-yes = Yes
choice-no = No

emergency-alert = *EMERGENCY?* Call *112* now (free, 24 hours).
    Police *110* · Fire brigade *113* · Search and rescue *115* · Ambulance *118*/*119*.
emergency-confirm = Is this an emergency that needs to be reported now?
emergency-declined = All right. We hope everything is safe.

language-ask = Silakan pilih bahasa / Please choose a language:
language-id = Bahasa Indonesia
language-en = English
language-set = All right, we will reply in English.

understood-choice = Noted: { $pilihan }.
summary-confirm = Type *yes* to send it, or *edit* and a number to correct it (for example *edit 2*).
summary-how-to-edit = Type *yes* to send the application, *edit* and a number to correct it (for example *edit 2*), or *cancel*.
edit-which = Please give the number of the item to change, from 1 to { $jumlah }. Example: *edit 2*.
edit-current = Current answer: { $nilai }
edit-not-found = Sorry, that answer is not in this summary. Please give its number, from 1 to { $jumlah }. For example: *edit 2*.
edit-ambiguous = Which answer do you want to change? Type one of:
edit-option = - *edit { $nomor }*: { $label }
answer-yes = Yes
answer-no = No
answer-file = (file attached)
answer-skipped = -

invalid-text-short = Sorry, that answer is too short. Please type at least { $min } characters.
invalid-text-long = Sorry, that answer is too long ({ $panjang } characters). At most { $max } characters.
invalid-text-pattern = Sorry, the format of { $contoh } is not right. Please check it.
invalid-number = Please type a number from { $min } to { $max }.
invalid-choice = Sorry, that option does not exist. Type the *number* of one of the options below.
invalid-yesno = Please answer *yes* or *no*.
expect-text = Please answer this question by typing.
expect-photo = Please send a *photo*: tap the attachment icon (📎), then Camera or Gallery.
expect-document = Please send a *document* (PDF) or a photo of it.
expect-location = Please send a *location*: tap the attachment icon (📎), then Location, or type coordinates such as *-1.26,116.83*, or type the address (street, RT, village, landmark).
invalid-file-too-big = Sorry, the file is too large. At most { $max_mb } MB; please send a smaller photo.
invalid-file-not-photo = Sorry, that file is not a photo. Please send a *photo* (JPG or PNG): tap the attachment icon (📎), then Camera or Gallery.
invalid-file-not-document = Sorry, we cannot accept that file. Please send a *PDF document* or a *photo* of it (JPG or PNG).
invalid-date-not-working-day = Sorry, { $tanggal } is not a working day. Please choose a Monday to Friday that is not a holiday.
contact-not-own = The contact you sent is not your own number; we have noted it as a number to reach you.

submitted =
    Thank you. Your { $layanan } application has been received.
    Ticket number: *{ $tiket }*
    Handled by: { $opd }
    Expected completion: { $selesai } ({ $hari } working days)
    We will tell you about every status change. Check any time: *status { $tiket }*
submitted-no-due =
    Thank you. Your { $layanan } report has been received and is being passed on now.
    Ticket number: *{ $tiket }*
    Handled by: { $opd }
    Check any time: *status { $tiket }*
status-line = Application *{ $tiket }* ({ $layanan }): *{ $status }*
status-due = Expected completion: { $selesai }
status-history-intro = History:
status-history-line = - { $waktu }: { $status }
status-history-note =   Officer's note: { $catatan }
status-not-found = Sorry, ticket *{ $tiket }* was not found. Please check the number.
status-none = There are no applications in progress from this chat. If you have a ticket number, type *status* and the number, e.g. *status K7Q4-M9XS*.
status-mine-intro = Your applications in progress:
status-mine-line = { $nomor }. *{ $tiket }* { $layanan }: { $status }
status-other-chat = Status of application *{ $tiket }*: *{ $status }*.
push-status = News about application *{ $tiket }* ({ $layanan }): *{ $status }*
push-overdue = We are sorry: application *{ $tiket }* ({ $layanan }) was not finished by the expected date. The officers have been reminded. New expected date: { $selesai }.
push-next-fix = Please type *perbaiki { $tiket }*, then send the data or photo that was asked for.
push-next-pickup = Please bring your KTP-el or another proof of identity when you collect it. Check any time: *status { $tiket }*
push-next-wait = We will tell you about the next change. Check any time: *status { $tiket }*
fix-which = Please give the ticket number to correct. Example: *perbaiki K7Q4-M9XS*.
fix-ask = Please send the correction for application *{ $tiket }* in one message (text or a photo).
    Officer's note: { $catatan }
fix-not-needed = Application *{ $tiket }* is *{ $status }* and is not waiting for a correction.
fix-received = Thank you. The correction for application *{ $tiket }* has been received and passed to the officers to check again.
button-location = Send location
button-contact = Send phone number
officer-new-ticket = New ticket *{ $tiket }*: { $layanan }
officer-denied = You may not change this ticket.
officer-note-ask = Write a note for the citizen (ticket { $tiket }, { $status }) by replying to this message.
officer-done = Ticket { $tiket } is now { $status }. The citizen has been told.
officer-refused = Ticket { $tiket } was not changed: { $alasan }
button-list = See options
template-overdue = Late; a new expected date is set
mydata-intro = What we hold for this chat (numbers masked):
mydata-flow = - The { $layanan } application being filled in: { $jumlah } answers
mydata-ticket = - Ticket *{ $tiket }* { $layanan } ({ $status }): { $data }
mydata-none = We hold no data for this chat.
mydata-how-to-delete = To delete it, type *hapus data saya*.
forget-confirm = Your personal data in this service will be deleted: the answers being filled in and the data of finished applications. Applications still in progress are kept until they are finished. Continue?
forget-kept = All right, your data was not deleted.
forget-done = Your personal data has been deleted. { $terbuka } application(s) still in progress are kept so they can be finished; their data will be deleted after that, following the retention schedule.
