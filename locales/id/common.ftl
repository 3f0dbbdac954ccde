# Texts the engine itself uses, in every dialog. Placeables: { $waktu } is a time of day.

greeting = Selamat { $waktu }, Bapak/Ibu. Selamat datang di layanan satu pintu Pemerintah Kabupaten Penajam Paser Utara.
greeting-salam = Wa'alaikumsalam. Selamat { $waktu }, Bapak/Ibu. Selamat datang di layanan satu pintu Pemerintah Kabupaten Penajam Paser Utara.
time-pagi = pagi
time-siang = siang
time-sore = sore
time-malam = malam

privacy-notice = *Pemberitahuan Privasi*
    Pemerintah Kabupaten Penajam Paser Utara memproses data yang Bapak/Ibu kirim (misalnya NIK, nomor KK, foto dokumen, lokasi) hanya untuk menangani permohonan, pengaduan, atau laporan Bapak/Ibu dan mengabarkan statusnya. Dasar pemrosesan: pelaksanaan tugas pelayanan publik (UU No. 27 Tahun 2022).
    Data hanya diteruskan kepada perangkat daerah yang menangani dan disimpan di Indonesia. Pesan juga melewati layanan WhatsApp/Telegram.

menu-intro = Silakan pilih layanan:
menu-hint = Ketik *nomor* layanan, atau tulis keperluan Bapak/Ibu (misalnya *ktp hilang*). Ketik *bantuan* bila perlu petunjuk.
not-understood = Mohon maaf, kami belum memahami pesan tersebut.
clarify-which = Mohon maaf, agar tidak salah: layanan mana yang Bapak/Ibu maksud?
clarify-hint = Ketik *nomor* pilihan, atau *menu* untuk melihat semua layanan.
elsewhere-intro = Mohon maaf, layanan tersebut bukan kewenangan Pemerintah Kabupaten.

help = *Bantuan*
    Pilih layanan dari daftar di bawah. Perintah lain:
    - *status*: melihat permohonan Bapak/Ibu
    - *bahasa*: memilih bahasa (Indonesia/English)
    - *data saya* / *hapus data saya*: melihat atau menghapus data Bapak/Ibu
    Bila ada nyawa yang terancam, segera telepon *112*.
# Help in the middle of a form: { $jawab } says how to answer the question being asked.
help-in-flow = *Bantuan*
    Untuk pertanyaan ini, { $jawab }
help-answer-text = ketik jawaban Bapak/Ibu dalam satu pesan.
help-answer-number = ketik angkanya saja, misalnya *2*.
help-answer-date = ketik tanggalnya, misalnya *17-08-1990*.
help-answer-choice = ketik *nomor* pilihan (misalnya *1*) atau tekan tombolnya.
help-answer-yesno = ketik *ya* atau *tidak*, atau tekan tombolnya.
help-answer-photo = kirim *foto*: tekan ikon lampiran (📎), lalu pilih Kamera atau Galeri.
help-answer-document = kirim *dokumen* (PDF) atau fotonya lewat ikon lampiran (📎).
help-answer-location = kirim *lokasi*: tekan ikon lampiran (📎), lalu pilih Lokasi.
help-answer-summary = ketik *ya* untuk mengirim, atau *ubah* dan nomor atau nama datanya untuk memperbaiki (misalnya *ubah 2* atau *ubah nama*).
help-skip = Pertanyaan ini tidak wajib: ketik *lewati* untuk melewatinya.
help-commands = Perintah lain:
    - *kembali*: mengulang pertanyaan sebelumnya
    - *batal*: membatalkan permohonan ini
    - *menu*: kembali ke daftar layanan
    - *status*: melihat permohonan Bapak/Ibu
    - *data saya* / *hapus data saya*: melihat atau menghapus data Bapak/Ibu
thanks-reply = Sama-sama, Bapak/Ibu. Semoga membantu.
session-expired = Mohon maaf, permohonan yang belum selesai tadi sudah ditutup karena lama tidak ada balasan. Silakan mulai lagi.
resume-ask =
    Selamat datang kembali, Bapak/Ibu. Permohonan { $layanan } Bapak/Ibu belum selesai ({ $jumlah } jawaban tersimpan).
    Ketik *1* untuk melanjutkan, atau *2* untuk mulai baru dari awal.
draft-reminder =
    Pengingat: permohonan { $layanan } Bapak/Ibu belum selesai ({ $jumlah } jawaban tersimpan). Draf ini disimpan sampai { $tanggal }, setelah itu dihapus.
    Ketik *1* untuk melanjutkan, atau *2* untuk mulai baru dari awal.
resume-continue = Lanjutkan
resume-restart = Mulai baru
resume-continued = Baik, kita lanjutkan.
resume-restarted = Baik, jawaban sebelumnya sudah dihapus. Kita mulai dari awal.
resume-which = Mohon ketik *1* untuk melanjutkan permohonan, atau *2* untuk mulai baru.
script-updated = Mohon maaf, formulir layanan ini baru saja diperbarui. Silakan mulai lagi dari menu.
empty-input = Mohon maaf, pesan Bapak/Ibu kosong. Silakan ketik jawaban Bapak/Ibu.
unsupported-media = Mohon maaf, kami belum dapat menerima stiker, pesan suara, atau video. Silakan kirim teks, foto, dokumen, atau lokasi.
stuck = Sepertinya ada kendala. Ketik *bantuan* untuk petunjuk atau *menu* untuk kembali ke daftar layanan.
continue-with = Mari lanjutkan.

cancel-confirm = Jawaban yang sudah Bapak/Ibu isi akan dihapus. Yakin ingin membatalkan permohonan ini?
cancelled = Baik, Bapak/Ibu. Permohonan dibatalkan.
cancel-kept = Baik, permohonan dilanjutkan.
switched = Permohonan tadi kami batalkan. Kita mulai layanan { $layanan }.
nothing-to-cancel = Tidak ada permohonan yang sedang diisi.
back-at-start = Ini pertanyaan pertama. Kami kembali ke daftar layanan.
skip-not-allowed = Mohon maaf, pertanyaan ini wajib dijawab.
choice-yes = Ya
choice-no = Tidak

emergency-alert = *DARURAT?* Segera telepon *112* (gratis, 24 jam).
    Polisi *110* · Pemadam kebakaran *113* · SAR *115* · Ambulans *118*/*119*.
emergency-confirm = Apakah ini keadaan darurat yang perlu dilaporkan sekarang?
emergency-declined = Baik, Bapak/Ibu. Semoga semuanya aman.

language-ask = Silakan pilih bahasa / Please choose a language:
language-id = Bahasa Indonesia
language-en = English
language-set = Baik, kami akan membalas dalam Bahasa Indonesia.

understood-choice = Kami catat: { $pilihan }.
summary-confirm = Ketik *ya* untuk mengirim, atau *ubah* dan nomornya untuk memperbaiki (misalnya *ubah 2*).
summary-how-to-edit = Ketik *ya* untuk mengirim permohonan, *ubah* dan nomornya untuk memperbaiki (misalnya *ubah 2*), atau *batal*.
edit-which = Mohon sebutkan nomor data yang ingin diubah, dari 1 sampai { $jumlah }. Contoh: *ubah 2*.
edit-current = Isian saat ini: { $nilai }
edit-not-found = Mohon maaf, data tersebut tidak ada di ringkasan ini. Mohon sebutkan nomornya, dari 1 sampai { $jumlah }. Contoh: *ubah 2*.
edit-ambiguous = Data mana yang ingin diubah? Ketik salah satu:
edit-option = - *ubah { $nomor }*: { $label }
answer-yes = Ya
answer-no = Tidak
answer-file = (berkas terlampir)
answer-skipped = -

invalid-text-short = Mohon maaf, jawaban terlalu singkat. Mohon ketik paling sedikit { $min } huruf.
invalid-text-long = Mohon maaf, jawaban terlalu panjang ({ $panjang } huruf). Paling banyak { $max } huruf.
invalid-text-pattern = Mohon maaf, format { $contoh } belum sesuai. Mohon periksa kembali.
invalid-number = Mohon ketik angka dari { $min } sampai { $max }.
invalid-choice = Mohon maaf, pilihan tersebut tidak ada. Ketik *nomor* pilihan di bawah ini.
invalid-yesno = Mohon jawab *ya* atau *tidak*.
expect-text = Mohon jawab pertanyaan ini dengan mengetik.
expect-photo = Mohon kirim *foto*. Tekan ikon lampiran (📎) lalu pilih Kamera atau Galeri.
expect-document = Mohon kirim *dokumen* (PDF) atau fotonya.
expect-location = Mohon kirim *lokasi*: tekan ikon lampiran (📎) lalu pilih Lokasi, atau ketik koordinat seperti *-1.26,116.83*, atau ketik alamatnya (jalan, RT, desa, patokan).
invalid-file-too-big = Mohon maaf, berkas terlalu besar. Paling besar { $max_mb } MB; mohon kirim foto yang lebih kecil.
invalid-file-not-photo = Mohon maaf, berkas tersebut bukan foto. Mohon kirim *foto* (JPG atau PNG): tekan ikon lampiran (📎) lalu pilih Kamera atau Galeri.
invalid-file-not-document = Mohon maaf, berkas tersebut tidak dapat kami terima. Mohon kirim *dokumen PDF* atau *foto* dokumennya (JPG atau PNG).
invalid-date-not-working-day = Mohon maaf, { $tanggal } bukan hari kerja. Mohon pilih hari Senin sampai Jumat yang bukan hari libur.
contact-not-own = Kontak yang dikirim bukan nomor Bapak/Ibu sendiri; nomor tersebut kami catat sebagai nomor yang bisa dihubungi.

submitted =
    Terima kasih, Bapak/Ibu. Permohonan { $layanan } sudah kami terima.
    Nomor tiket: *{ $tiket }*
    Ditangani oleh: { $opd }
    Perkiraan selesai: { $selesai } ({ $hari } hari kerja)
    Kami akan mengabari setiap perubahan status. Cek kapan saja: *status { $tiket }*
submitted-no-due =
    Terima kasih, Bapak/Ibu. Laporan { $layanan } sudah kami terima dan segera diteruskan.
    Nomor tiket: *{ $tiket }*
    Ditangani oleh: { $opd }
    Cek kapan saja: *status { $tiket }*
status-line = Permohonan *{ $tiket }* ({ $layanan }): *{ $status }*
status-due = Perkiraan selesai: { $selesai }
status-history-intro = Riwayat:
status-history-line = - { $waktu }: { $status }
status-history-note =   Catatan petugas: { $catatan }
status-not-found = Mohon maaf, tiket *{ $tiket }* tidak ditemukan. Mohon periksa kembali nomornya.
status-none = Belum ada permohonan yang sedang berjalan dari percakapan ini. Bila Bapak/Ibu memiliki nomor tiket, ketik *status* dan nomornya, misalnya *status K7Q4-M9XS*.
status-mine-intro = Permohonan Bapak/Ibu yang sedang berjalan:
status-mine-line = { $nomor }. *{ $tiket }* { $layanan }: { $status }
status-other-chat = Status permohonan *{ $tiket }*: *{ $status }*.
push-status = Kabar permohonan *{ $tiket }* ({ $layanan }): *{ $status }*
push-overdue = Mohon maaf, permohonan *{ $tiket }* ({ $layanan }) belum selesai sesuai perkiraan. Petugas sudah kami ingatkan. Perkiraan baru: { $selesai }.
push-next-fix = Mohon ketik *perbaiki { $tiket }*, lalu kirim data atau foto yang diminta.
push-next-pickup = Mohon bawa KTP-el atau bukti identitas saat mengambil. Cek kapan saja: *status { $tiket }*
push-next-wait = Kami akan mengabari perubahan berikutnya. Cek kapan saja: *status { $tiket }*
fix-which = Mohon sebutkan nomor tiket yang akan diperbaiki. Contoh: *perbaiki K7Q4-M9XS*.
fix-ask = Silakan kirim perbaikan untuk permohonan *{ $tiket }* dalam satu pesan (teks atau foto).
    Catatan petugas: { $catatan }
fix-not-needed = Permohonan *{ $tiket }* berstatus *{ $status }* dan tidak sedang menunggu perbaikan.
fix-received = Terima kasih, Bapak/Ibu. Perbaikan untuk permohonan *{ $tiket }* sudah kami terima dan diteruskan kepada petugas untuk diperiksa kembali.
button-location = Kirim lokasi
button-contact = Kirim nomor HP
officer-new-ticket = Tiket baru *{ $tiket }*: { $layanan }
officer-denied = Anda tidak berwenang mengubah tiket ini.
officer-note-ask = Tulis catatan untuk warga (tiket { $tiket }, { $status }) dengan membalas pesan ini.
officer-done = Tiket { $tiket } kini { $status }. Warga sudah dikabari.
officer-refused = Tiket { $tiket } tidak diubah: { $alasan }
button-list = Lihat pilihan
template-overdue = Terlambat; perkiraan baru sudah ditetapkan
mydata-intro = Data yang kami simpan untuk chat ini (nomor disamarkan):
mydata-flow = - Permohonan { $layanan } yang sedang diisi: { $jumlah } jawaban
mydata-ticket = - Tiket *{ $tiket }* { $layanan } ({ $status }): { $data }
mydata-none = Kami tidak menyimpan data apa pun untuk chat ini.
mydata-how-to-delete = Untuk menghapusnya, ketik *hapus data saya*.
forget-confirm = Data pribadi Bapak/Ibu di layanan ini akan dihapus: jawaban yang sedang diisi dan data permohonan yang sudah selesai. Permohonan yang masih berjalan tetap disimpan sampai selesai. Lanjutkan?
forget-kept = Baik, data Bapak/Ibu tidak dihapus.
forget-done = Data pribadi Bapak/Ibu sudah dihapus. { $terbuka } permohonan yang masih berjalan tetap kami simpan agar dapat diselesaikan; datanya akan dihapus setelah selesai sesuai jadwal retensi.
